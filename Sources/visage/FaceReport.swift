import Foundation
import Visage
import VisageCore
import VisageModels
import VisageRuntime
import VisageJSON

/// How a command prints faces: which fields go into `--json` and the readable text.
struct FaceReport {
    var includesAttributes: Bool
    var includesEmbedding: Bool

    func json(_ analyzed: AnalyzedImage) -> JSONValue {
        VisageJSON.analysis(image: analyzed.path, width: analyzed.width, height: analyzed.height, faces: analyzed.faces,
                            attributes: includesAttributes, embedding: includesEmbedding)
    }

    func json(_ face: Face) -> JSONValue {
        face.json(attributes: includesAttributes, embedding: includesEmbedding)
    }

    static func errorJSON(path: String, error: any Error) -> JSONValue {
        VisageJSON.imageError(image: path, message: message(for: error))
    }

    /// The text a person reads for an error: `LocalizedError`'s description when there is one.
    /// Runtime errors keep file paths out of their description (a server must not leak them)
    /// and put them in `debugDescription`; at a local terminal the path is what the user needs.
    /// The library's advice for an image over the pixel limit names its API; here the limit is `--max-pixels`.
    static func message(for error: any Error) -> String {
        if let runtimeError = error as? RuntimeError { return runtimeError.debugDescription }
        return ((error as? any LocalizedError)?.errorDescription ?? String(describing: error))
            .replacingOccurrences(of: "raise ImageDecodingOptions.maxPixels if you trust the file", with: "raise --max-pixels if you trust the file")
    }

    func text(_ analyzed: AnalyzedImage) -> String {
        let count = analyzed.faces.count
        var lines = ["\(analyzed.path): \(count) face\(count == 1 ? "" : "s") (\(analyzed.width)×\(analyzed.height))"]
        for (i, face) in analyzed.faces.enumerated() {
            let b = face.box
            var line = String(format: "  #%d  box %.0f,%.0f %.0f×%.0f", i + 1, b.x, b.y, b.width, b.height)
                + (face.wasDetected ? String(format: "  score %.2f", face.score) : "  (given crop)")
            if includesAttributes {
                if let age = face.age { line += String(format: "  age %.0f", age) }
                if let g = face.gender { line += "  \(g.label.rawValue) " + String(format: "%.2f", g.score) }
                if let e = face.expression { line += "  \(e.label.rawValue) " + String(format: "%.2f", e.score) }
                if let m = face.mask { line += "  \(m.label.rawValue) " + String(format: "%.2f", m.score) }
                for head in face.heads {
                    let score = head.scores.first { $0.label == head.label }?.probability ?? 0
                    line += "  \(head.head): \(head.label) " + String(format: "%.2f", score)
                    if let value = head.value { line += String(format: " (mean %.1f)", value) }
                }
            }
            if includesEmbedding, let e = face.embedding {
                line += "  embedding [" + e.prefix(4).map { String(format: "%.3f", $0) }.joined(separator: ", ") + ", …]"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
