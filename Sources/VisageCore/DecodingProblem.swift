public import Foundation

/// What went wrong when a JSON file of ours (a head, a gallery export line, a manifest) would
/// not decode, in words that place it: the field by its path as written in the file, or where
/// the text breaks. Foundation's own messages ("The data isn't in the correct format", and on
/// Linux "not valid JSON" even for valid JSON holding a number too big for a Float) say neither.
///
/// ```swift
/// do { head = try JSONDecoder().decode(FaceHead.self, from: data) }
/// catch { throw HeadError.unreadableHead(path: path, reason: DecodingProblem.describe(error, in: data)) }
/// ```
public enum DecodingProblem {
    public static func describe(_ error: any Error, in data: Data) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context): "the field \"\(fieldPath(context.codingPath + [key]))\" is missing"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "the field \"\(fieldPath(context.codingPath))\" has the wrong type"
        case let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty:
            "the field \"\(fieldPath(context.codingPath))\" holds a value that cannot be read"
        case DecodingError.dataCorrupted: whereTheJSONBreaks(data)
        default: error.localizedDescription
        }
    }

    /// A field as a reader finds it in the file: `classifier.weights[0][3]`.
    private static func fieldPath(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { path, key in
            if let index = key.intValue { return path + "[\(index)]" }
            return path.isEmpty ? key.stringValue : path + "." + key.stringValue
        }
    }

    /// JSONSerialization tells valid JSON with an out-of-range number from broken text, and
    /// says at which character the text breaks; that becomes a line and column (only a column
    /// for one-line data such as a JSON Lines record).
    private static func whereTheJSONBreaks(_ data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return "a number in it is beyond what a Float holds"
        } catch {
            guard let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return "not valid JSON" }
            if detail.hasPrefix("Unexpected end of file") { return "not valid JSON: it ends early, as a file cut short does" }
            guard let range = detail.range(of: #"character \d+"#, options: .regularExpression),
                  let offset = Int(detail[range].dropFirst("character ".count)) else { return "not valid JSON: \(detail)" }
            let before = data.prefix(offset)
            let newline = UInt8(ascii: "\n")
            let column = offset - (before.lastIndex(of: newline).map { $0 - data.startIndex + 1 } ?? 0) + 1
            let place = data.contains(newline) ? "line \(before.count { $0 == newline } + 1), column \(column)" : "column \(column)"
            let what = detail[..<range.lowerBound].replacingOccurrences(of: " around", with: "").trimmingCharacters(in: .whitespaces)
            return "not valid JSON: \(what.prefix(1).lowercased() + what.dropFirst()) at \(place)"
        }
    }
}
