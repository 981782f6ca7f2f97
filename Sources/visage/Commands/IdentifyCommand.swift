import ArgumentParser
import VisageJSON
import Foundation
import Visage
import VisageCore
import VisageGallery

struct IdentifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Say who each face in the photos is, or that it is unknown.",
        discussion: """
        Every face is compared with every person in the gallery (a person's score is their best \
        template's). The best candidate is the identity when its similarity reaches the \
        threshold; otherwise the face is unknown and `name` is null. The default threshold is \
        the one calibrated on CFP at a false-positive identification rate of 1e-3 (docs/gallery.md).

        A face the mask classifier calls masked is compared, as `visage verify` compares it, \
        through the masked-face attention head with every template's head embedding, against \
        the masked threshold (--masked-threshold). Each answer says its method (sface or \
        attention_head), its threshold and whether the face was called masked; a gallery whose \
        templates predate the head's embedding gets a warning (`visage gallery reembed`).

        Examples:
          visage identify --gallery staff.gallery door.jpg
          visage identify --gallery staff.gallery --top-k 3 --json photos/
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: GalleryOptions

    @Option(help: "Candidates listed per face.")
    var topK = 5

    @Argument(help: "Image files or folders.")
    var paths: [String]

    func validate() throws {
        if topK < 1 { throw ValidationError("--top-k must be at least 1.") }
    }

    func run() async throws {
        let images = ImageInputs.expand(paths)
        guard !images.isEmpty else { throw ValidationError("No images found in: \(paths.joined(separator: ", ")).") }
        let analyzer = try global.makeAnalyzer(tasks: Gallery.analyzerTasks, imagesInFlight: min(images.count, FaceAnalyzer.defaultBatchConcurrency))
        let gallery = try await options.open(analyzer: analyzer)
        var progress = Progress(total: images.count)
        var badInputs = 0
        for await item in analyzer.analyzeFiles(images) {
            progress.advance(item.path)
            switch item.result {
            case let .success(analyzed):
                let faces = analyzed.faces.filter { $0.embedding != nil }
                let answers = try await gallery.identify(faces: faces, topK: topK)
                printNow(global.json ? json(item.path, faces, answers).rendered : text(item.path, faces, answers))
            case let .failure(error):
                badInputs += 1
                if global.json {
                    printNow(FaceReport.errorJSON(path: item.path, error: error).rendered)
                } else {
                    printError("\(item.path): \(FaceReport.message(for: error))")
                }
            }
        }
        if badInputs > 0 { throw VisageExitCode.badInput }
    }

    private func json(_ path: String, _ faces: [Face], _ answers: [Identification]) -> JSONValue {
        VisageJSON.identification(image: path, faces: faces, answers: answers)
    }

    private func text(_ path: String, _ faces: [Face], _ answers: [Identification]) -> String {
        var lines = ["\(path): \(faces.count) face\(faces.count == 1 ? "" : "s")"]
        for (i, (face, answer)) in zip(faces, answers).enumerated() {
            let b = face.box
            var line = String(format: "  #%d  box %.0f,%.0f %.0f×%.0f  ", i + 1, b.x, b.y, b.width, b.height)
            if let match = answer.match {
                line += "\(match.name) (#\(match.personID)) " + String(format: "%.3f", match.similarity)
            } else if let best = answer.candidates.first {
                line += "unknown (closest: \(best.name) " + String(format: "%.3f", best.similarity) + String(format: " < %.3f)", answer.threshold)
            } else {
                line += "unknown (empty gallery)"
            }
            if answer.method == .attentionHead {
                line += String(format: " [masked: attention head, threshold %.3f]", answer.threshold)
            } else if answer.probeMasked == true {
                line += String(format: " [masked, but compared with SFace at %.3f]", answer.threshold)
            }
            lines.append(line)
            if let warning = answer.warning { printError("warning: \(path) face #\(i + 1): \(warning)") }
        }
        return lines.joined(separator: "\n")
    }
}
