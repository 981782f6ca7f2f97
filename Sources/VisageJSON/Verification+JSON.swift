public import Visage
import Foundation

extension Verification {
    /// `similarity`, `threshold`, `same`, `method` and, when the mask classifier ran, `condition`
    /// (`unmasked`, `one_masked`, `both_masked`), `first_masked` and `second_masked`, as
    /// `visage verify --json` and `POST /v1/verify` print it.
    public var json: JSONValue { json(explanation: nil) }

    /// The same, plus `explanation` when one was made (``SimilarityExplanation/json(image:)``).
    public func json(explanation: SimilarityExplanation?, explanationImage: [UInt8]? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("similarity", .number(similarity, decimals: 4)),
            ("threshold", .number(threshold, decimals: 4)),
            ("same", .bool(same)),
            ("method", .string(method.rawValue)),
        ]
        // Only when the mask classifier ran: without its calls the condition is unknown.
        if firstMasked != nil || secondMasked != nil { fields.append(("condition", .string(condition.rawValue))) }
        if let firstMasked { fields.append(("first_masked", .bool(firstMasked))) }
        if let secondMasked { fields.append(("second_masked", .bool(secondMasked))) }
        if let explanation { fields.append(("explanation", explanation.json(image: explanationImage))) }
        return .object(fields)
    }
}

extension SimilarityExplanation {
    /// `method`, `grid`, the two maps as rows of cells (`a`, `b`: for `occlusion` the similarity
    /// drop when the cell is hidden, positive supported the match; for `attention` the head's
    /// visible-face weight, 0–1), and the rendered picture as a PNG data URL when `image` is given.
    public func json(image: [UInt8]? = nil) -> JSONValue {
        func rows(_ map: [Float]) -> JSONValue {
            .array(stride(from: 0, to: map.count, by: grid).map { start in .array(map[start..<start + grid].map { .number($0, decimals: 4) }) })
        }
        var fields: [(String, JSONValue)] = [
            ("method", .string(method.rawValue)),
            ("grid", .integer(grid)),
            ("a", rows(mapA)),
            ("b", rows(mapB)),
        ]
        if let image { fields.append(("image", .string("data:image/png;base64," + Data(image).base64EncodedString()))) }
        return .object(fields)
    }
}
