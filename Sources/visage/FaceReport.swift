import Foundation
import Visage
import VisageCore
import VisageModels
import VisageRuntime

/// How a command prints faces: which fields go into `--json` and the readable text.
struct FaceReport {
    var includesAttributes: Bool
    var includesEmbedding: Bool

    func json(_ analyzed: AnalyzedImage) -> JSONValue {
        .object([
            ("image", .string(analyzed.path)),
            ("width", .integer(analyzed.width)),
            ("height", .integer(analyzed.height)),
            ("faces", .array(analyzed.faces.map(json))),
        ])
    }

    func json(_ face: Face) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("box", .array([face.box.x, face.box.y, face.box.width, face.box.height].map { .number($0, decimals: 1) })),
            ("score", .number(face.score, decimals: 4)),
            ("landmarks", .array(face.landmarks.map { .array([.number($0.x, decimals: 1), .number($0.y, decimals: 1)]) })),
        ]
        if includesAttributes {
            fields.append(("age", face.age.map { .number($0, decimals: 1) } ?? .null))
            fields.append(("gender", face.gender.map { .object([("label", .string($0.label.rawValue)), ("score", .number($0.score, decimals: 4))]) } ?? .null))
            fields.append(("expression", face.expression.map { e in
                .object([
                    ("label", .string(e.label.rawValue)),
                    ("scores", .object(zip(ExpressionLabel.allCases, e.scores).map { ($0.rawValue, .number($1, decimals: 4)) })),
                ])
            } ?? .null))
        }
        if includesEmbedding {
            fields.append(("embedding", face.embedding.map { .array($0.map { .number($0, decimals: 6) }) } ?? .null))
        }
        return .object(fields)
    }

    static func errorJSON(path: String, error: any Error) -> JSONValue {
        .object([("image", .string(path)), ("error", .string(message(for: error)))])
    }

    /// The text a person reads for an error: `LocalizedError`'s description when there is one.
    /// Runtime errors keep file paths out of their description (a server must not leak them)
    /// and put them in `debugDescription`; at a local terminal the path is what the user needs.
    static func message(for error: any Error) -> String {
        if let runtimeError = error as? RuntimeError { return runtimeError.debugDescription }
        return (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
    }

    func text(_ analyzed: AnalyzedImage) -> String {
        let count = analyzed.faces.count
        var lines = ["\(analyzed.path): \(count) face\(count == 1 ? "" : "s") (\(analyzed.width)×\(analyzed.height))"]
        for (i, face) in analyzed.faces.enumerated() {
            let b = face.box
            var line = String(format: "  #%d  box %.0f,%.0f %.0f×%.0f  score %.2f", i + 1, b.x, b.y, b.width, b.height, face.score)
            if includesAttributes {
                if let age = face.age { line += String(format: "  age %.0f", age) }
                if let g = face.gender { line += "  \(g.label.rawValue) " + String(format: "%.2f", g.score) }
                if let e = face.expression { line += "  \(e.label.rawValue) " + String(format: "%.2f", e.score) }
            }
            if includesEmbedding, let e = face.embedding {
                line += "  embedding [" + e.prefix(4).map { String(format: "%.3f", $0) }.joined(separator: ", ") + ", …]"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
