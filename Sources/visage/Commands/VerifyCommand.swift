import ArgumentParser
import VisageJSON
import Foundation
import Visage

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decide whether the largest faces of two images are the same person.",
        discussion: """
        The default threshold, 0.303, is the cosine similarity at a false-accept rate of 1e-3 \
        on the 7,000 CFP impostor pairs.

        Examples:
          visage verify a.jpg b.jpg
          visage verify --json --threshold 0.4 a.jpg b.jpg
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Cosine similarity at or above which the faces count as the same person.")
    var threshold: Float = Verification.defaultThreshold

    @Argument(help: "The first image.")
    var first: String

    @Argument(help: "The second image.")
    var second: String

    func run() async throws {
        let analyzer = try global.makeAnalyzer(tasks: [.embedding])
        var faces: [Face] = []
        for path in [first, second] {
            let analyzed: AnalyzedImage
            do {
                analyzed = try await analyzer.analyze(contentsOf: path)
            } catch {
                report(path: path, error: FaceReport.message(for: error))
                throw VisageExitCode.badInput
            }
            guard let face = analyzed.faces.largest else {
                report(path: path, error: "no face found in \(path)")
                throw VisageExitCode.badInput
            }
            faces.append(face)
        }
        let verification = Verification(similarity: faces[0].similarity(to: faces[1]) ?? -1, threshold: threshold)
        if global.json {
            print(verification.json.rendered)
        } else {
            print(String(format: "similarity %.4f (threshold %.3f): ", verification.similarity, verification.threshold)
                  + (verification.same ? "same person" : "different people"))
        }
    }

    private func report(path: String, error: String) {
        if global.json {
            print(VisageJSON.imageError(image: path, message: error).rendered)
        } else {
            printError("\(path): \(error)")
        }
    }
}
