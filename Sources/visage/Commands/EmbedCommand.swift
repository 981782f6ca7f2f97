import ArgumentParser
import Foundation
import Visage
import VisageJSON

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Compute each face's 128-d identity embedding (with age and gender), or its 256-d FAb-Net attribute embedding.",
        discussion: """
        --model fabnet replaces the identity embedding with our FAb-Net encoder's 256-d vector \
        (pose and expression, learned from video without labels; docs/models/fabnet-encoder.md), \
        computed on the same aligned crop; age and gender are then left out.

        Examples:
          visage embed --json portrait.jpg
          visage embed --json people/ > embeddings.jsonl
          visage embed --model fabnet --json portrait.jpg
        """
    )

    /// Which embedding `embed` prints.
    enum Model: String, ExpressibleByArgument, CaseIterable {
        case sface, fabnet
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "The embedding: sface (identity, 128-d) or fabnet (attributes, 256-d).")
    var model: Model = .sface

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png, .webp).")
    var paths: [String]

    func run() async throws {
        switch model {
        case .sface:
            try await AnalysisRun(inputs: paths, global: global, tasks: [.embedding, .age, .gender],
                                  report: FaceReport(includesAttributes: true, includesEmbedding: true),
                                  annotateDirectory: nil).run()
        case .fabnet:
            try await runFabNet()
        }
    }

    private func runFabNet() async throws {
        let files = ImageInputs.expand(paths)
        guard !files.isEmpty else { throw ValidationError("No images found in: \(paths.joined(separator: ", ")).") }
        let analyzer = try global.makeAnalyzer(tasks: .attributeEmbedding)
        let report = FaceReport(includesAttributes: false, includesEmbedding: true)
        var badInputs = 0
        for await item in analyzer.analyzeFiles(files) {
            switch item.result {
            case var .success(analyzed):
                // The report prints `embedding`; here that is the FAb-Net vector.
                for i in analyzed.faces.indices { analyzed.faces[i].embedding = analyzed.faces[i].attributeEmbedding }
                print(global.json ? report.json(analyzed).rendered : report.text(analyzed))
            case let .failure(error):
                badInputs += 1
                if global.json { print(FaceReport.errorJSON(path: item.path, error: error).rendered) } else { printError("\(item.path): \(FaceReport.message(for: error))") }
            }
        }
        if badInputs > 0 { throw VisageExitCode.badInput }
    }
}
