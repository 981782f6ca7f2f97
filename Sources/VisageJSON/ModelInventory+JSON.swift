public import VisageModels

extension ModelInventory.Entry {
    /// One model as `visage models --json` and `GET /v1/models` print it: `file`, `purpose`,
    /// `state` (`as-installed`, `differs`, `present`, `missing`, `unreadable`), `problem` and what
    /// to do about it (`advice`, null when nothing), `bytes` and `sha256` (null unless read),
    /// `installed_sha256` (null for a file set-up does not install), `opt_in`, `use` (`any`,
    /// `check-training-data`, `research-only`) and the card's `licence`, `training_data`,
    /// `origin` and `document`.
    ///
    /// - Parameter includingAdvice: false leaves out `advice`, whose reason for an unreadable file
    ///   names its path on this machine (the service does not say that).
    public func json(includingAdvice: Bool = true) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("file", .string(card.fileName)),
            ("purpose", .string(card.purpose)),
            ("state", .string(state.name)),
            ("problem", .bool(isProblem)),
        ]
        if includingAdvice { fields.append(("advice", advice.map(JSONValue.string) ?? .null)) }
        fields += [
            ("bytes", bytes.map(JSONValue.integer) ?? .null),
            ("sha256", sha256.map(JSONValue.string) ?? .null),
            ("installed_sha256", card.installedSHA256.map(JSONValue.string) ?? .null),
            ("opt_in", .bool(card.isOptIn)),
            ("use", .string(card.use.rawValue)),
            ("licence", .string(card.licence)),
            ("training_data", .string(card.trainingData)),
            ("origin", .string(card.origin)),
            ("document", .string(card.document)),
        ]
        return .object(fields)
    }
}
