import ArgumentParser
import VisageJSON
import Foundation
import Visage
import VisageCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decide whether the largest faces of two images are the same person.",
        discussion: """
        The threshold depends on the pair: with neither face masked it is 0.303, the cosine \
        similarity at a false-accept rate of 1e-3 on the 7,000 CFP impostor pairs. When the mask \
        classifier calls either face masked, the faces are compared through the masked-face \
        attention head (trained on CFP with synthetic masks), whose embedding reads the visible \
        face, against a threshold of its own for one face masked and for both \
        (docs/models/masked-threshold.md). The JSON says "threshold", "method", "condition" and \
        "first_masked"/"second_masked". --threshold fixes one threshold for every pair; \
        --mask-matching plain always compares SFace's embeddings at 0.303.

        --explain writes a picture of why: each aligned face under an occlusion-sensitivity map \
        (red where hiding the region lowers the similarity, so it supported the match; blue \
        where hiding it raises the similarity, so it worked against it, as a mask or a hand \
        often does). It costs about 100 extra embeddings (a second or two). When the faces were \
        compared through the attention head, the picture shows the head's own visible-face \
        attention instead (red: the cells its embedding read), at no extra cost. With --json the \
        maps' values are printed too, under "explanation".

        Examples:
          visage verify a.jpg b.jpg
          visage verify --json --threshold 0.4 a.jpg b.jpg
          visage verify --explain why.png a.jpg b.jpg
          visage verify --fallback-score 0.3 enrolled.jpg masked.jpg
        """
    )

    func validate() throws {
        try validateSimilarity(threshold, "--threshold")
        if let fallbackScore, !(fallbackScore > 0 && fallbackScore < 0.7) { throw ValidationError("--fallback-score must be above 0 and below the detector's 0.7.") }
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Cosine similarity at or above which the faces count as the same person (default: by mask condition, 0.303 with neither face masked).")
    var threshold: Float?

    @Option(help: ArgumentHelp("attention: through the attention head when either face wears a mask; plain: always SFace.", valueName: "method"))
    var maskMatching = Verification.MaskMatching.attention

    @Option(help: ArgumentHelp("Write a side-by-side heatmap of the regions that drove the similarity to this PNG or JPEG file.", valueName: "file"))
    var explain: String?

    @Option(help: ArgumentHelp("Keep an image's best face down to this detector score when none reaches the usual 0.7 (default: off); for a masked or turned face the detector scores low.", valueName: "score"))
    var fallbackScore: Float?

    @Argument(help: "The first image.")
    var first: String

    @Argument(help: "The second image.")
    var second: String

    func run() async throws {
        let options = Verification.Options(maskMatching: maskMatching, threshold: threshold, explain: explain != nil)
        let analyzer = try global.makeAnalyzer(tasks: options.tasks, fallbackScore: fallbackScore)
        var images: [Image] = []
        for path in [first, second] {
            do {
                images.append(try await offload { try Image(contentsOf: path, options: analyzer.configuration.decoding) })
            } catch {
                report(path: path, error: FaceReport.message(for: error))
                throw VisageExitCode.badInput
            }
        }
        let pair: VerifiedPair
        do {
            pair = try await analyzer.verify(images[0], images[1], options: options)
        } catch VerificationError.noFace(let side) {
            let path = side == .first ? first : second
            report(path: path, error: "no face found in \(path)" + (fallbackScore == nil ? " (a masked or turned face may pass with --fallback-score 0.3)" : ""))
            throw VisageExitCode.badInput
        }
        let verification = pair.verification
        if let explain, let explanation = pair.explanation {
            do {
                try explanation.rendered(threshold: verification.threshold).write(to: explain)
            } catch {
                printError("Error: cannot write the explanation to \(explain): \(FaceReport.message(for: error))")
                throw ExitCode.failure
            }
        }
        if global.json {
            print(verification.json(explanation: pair.explanation).rendered)
        } else {
            print(String(format: "similarity %.4f (threshold %.3f): ", verification.similarity, verification.threshold)
                  + (verification.same ? "same person" : "different people")
                  + (verification.method == .attentionHead ? " (\(verification.condition == .bothMasked ? "both faces wear" : "a face wears") a mask: compared through the attention head)" : ""))
            if let explain { print("explanation: \(explain)") }
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
