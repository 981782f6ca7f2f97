public import Visage

extension Verification {
    /// `similarity`, `threshold`, `same`, as `visage verify --json` prints it.
    public var json: JSONValue {
        .object([
            ("similarity", .number(similarity, decimals: 4)),
            ("threshold", .number(threshold, decimals: 4)),
            ("same", .bool(same)),
        ])
    }
}
