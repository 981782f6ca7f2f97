import ArgumentParser
import VisageJSON
import Foundation
import Visage
import VisageCore
import VisageHeads

/// The loop shared by `analyze`, `detect` and `embed`: expand inputs, analyse them two at a
/// time, print each result as it comes (in input order), annotate, and set the exit code.
struct AnalysisRun {
    var inputs: [String]
    var global: GlobalOptions
    var tasks: FaceAnalyzer.Tasks
    var report: FaceReport
    var annotateDirectory: String?
    /// Custom heads whose predictions are added to every face (`analyze --head`).
    var heads: [FaceHead] = []
    /// Photos, or pictures that are each one face crop (`analyze --face-crop`).
    var input: FaceAnalyzer.Input = .photo
    /// Where age and gender come from (`analyze --age-gender`); nil: the analyzer's default.
    var ageGender: FaceAnalyzer.AttributeModel?

    func run() async throws {
        let paths = ImageInputs.expand(inputs)
        guard !paths.isEmpty else { throw ValidationError("No images found in: \(inputs.joined(separator: ", ")).") }
        if let annotateDirectory {
            try OutputPath.makeFolder(annotateDirectory)
        }
        let analyzer = try global.makeAnalyzer(tasks: tasks, input: input, imagesInFlight: min(paths.count, FaceAnalyzer.defaultBatchConcurrency),
                                            ageGender: ageGender)
        var progress = Progress(total: paths.count)
        var badInputs = 0
        var annotated: [String] = []
        for await item in analyzer.analyzeFiles(paths, heads: heads, keepImages: annotateDirectory != nil) {
            progress.advance(item.path)
            switch item.result {
            case let .success(analyzed):
                print(global.json ? report.json(analyzed).rendered : report.text(analyzed))
                if let annotateDirectory, let image = analyzed.image {
                    let destination = Annotator.destination(for: item.path, index: item.index, in: annotateDirectory)
                    do {
                        try image.annotated(with: analyzed.faces, attributes: report.includesAttributes).write(to: destination)
                        annotated.append(destination)
                    } catch {
                        badInputs += 1
                        printError("\(item.path): could not write the annotated image \(destination): \(FaceReport.message(for: error))")
                    }
                }
            case let .failure(error):
                badInputs += 1
                if global.json {
                    print(FaceReport.errorJSON(path: item.path, error: error).rendered)
                } else {
                    printError("\(item.path): \(FaceReport.message(for: error))")
                }
            }
        }
        if !annotated.isEmpty, !global.json {
            print("annotated image\(annotated.count == 1 ? "" : "s") written to: \(annotated.count == 1 ? annotated[0] : annotateDirectory!)")
        }
        if badInputs > 0 { throw VisageExitCode.badInput }
    }
}

func printError(_ message: String) {
    let newline = ProgressLine.close() ? "\n" : ""
    FileHandle.standardError.write(Data((newline + message + "\n").utf8))
}
