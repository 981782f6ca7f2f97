public import Visage
public import VisageCore
import VisageModels

extension Face {
    /// The face as `visage analyze --json` and `POST /v1/analyze` print it: `box`, `score`,
    /// `landmarks`, then `age`, `gender`, `expression` and `mask` when `attributes` is true (and
    /// `heads`, `{"<head>": {"label", "scores"[, "value"]}}`, when custom heads were applied), then
    /// `embedding` when `embedding` is true (a field the analyzer did not compute is `null`).
    /// A face given as a crop (``Face/wasDetected`` false) has `score` `null` and no landmarks.
    ///
    /// ```swift
    /// let line = face.json(attributes: true, embedding: false).rendered
    /// ```
    public func json(attributes: Bool, embedding includesEmbedding: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("box", box.json),
            ("score", wasDetected ? .number(score, decimals: 4) : .null),
            ("landmarks", .array(landmarks.map { .array([.number($0.x, decimals: 1), .number($0.y, decimals: 1)]) })),
        ]
        if attributes {
            fields.append(("age", age.map { .number($0, decimals: 1) } ?? .null))
            fields.append(("gender", gender.map { .object([("label", .string($0.label.rawValue)), ("score", .number($0.score, decimals: 4))]) } ?? .null))
            fields.append(("expression", expression.map { e in
                .object([
                    ("label", .string(e.label.rawValue)),
                    ("scores", .object(zip(ExpressionLabel.allCases, e.scores).map { ($0.rawValue, .number($1, decimals: 4)) })),
                ])
            } ?? .null))
            fields.append(("mask", mask.map { .object([("label", .string($0.label.rawValue)), ("score", .number($0.score, decimals: 4))]) } ?? .null))
            if !heads.isEmpty {
                fields.append(("heads", .object(heads.map { prediction in
                    (prediction.head, .object([
                        ("label", .string(prediction.label)),
                        ("scores", .object(prediction.scores.map { ($0.label, .number($0.probability, decimals: 4)) })),
                    ] + (prediction.value.map { [("value", JSONValue.number($0, decimals: 2))] } ?? [])))
                })))
            }
        }
        if includesEmbedding {
            fields.append(("embedding", embedding.map { .array($0.map { .number($0, decimals: 6) }) } ?? .null))
        }
        return .object(fields)
    }
}

extension Rect {
    /// `[x, y, width, height]` in pixels, one decimal.
    public var json: JSONValue {
        .array([x, y, width, height].map { .number($0, decimals: 1) })
    }
}

/// The JSON of whole answers, shared by the CLI's `--json` lines and the server's responses.
public enum VisageJSON {
    /// One analysed image: `image` (its path or upload name), `width`, `height`, `faces`.
    public static func analysis(image: String, width: Int, height: Int, faces: [Face], attributes: Bool, embedding: Bool) -> JSONValue {
        .object([
            ("image", .string(image)),
            ("width", .integer(width)),
            ("height", .integer(height)),
            ("faces", .array(faces.map { $0.json(attributes: attributes, embedding: embedding) })),
        ])
    }

    /// An image that could not be analysed, as the CLI prints it: `image`, `error`.
    public static func imageError(image: String, message: String) -> JSONValue {
        .object([("image", .string(image)), ("error", .string(message))])
    }
}
