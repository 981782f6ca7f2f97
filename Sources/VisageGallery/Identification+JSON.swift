public import Visage
public import VisageJSON

extension Identification.Candidate {
    /// `id`, `name`, `similarity`.
    public var json: JSONValue {
        .object([("id", .integer(Int(personID))), ("name", .string(name)), ("similarity", .number(similarity, decimals: 4))])
    }
}

extension VisageJSON {
    /// The faces of one image and who each is, as `visage identify --json` prints it: `image`,
    /// then `faces`, each with `box`, `identity` (`id`, `name`, `similarity`; `id` and `name`
    /// are null for an unknown face), `candidates`, `method` (`sface`, or `attention_head` for a
    /// face called masked), `threshold` (the one the best similarity was compared with),
    /// `masked` (the mask classifier's call, null when it did not run) and, when there is
    /// something to act on, `warning`.
    public static func identification(image: String, faces: [Face], answers: [Identification]) -> JSONValue {
        .object([
            ("image", .string(image)),
            ("faces", .array(zip(faces, answers).map { face, answer in
                .object([
                    ("box", face.box.json),
                    ("identity", .object([
                        ("id", answer.match.map { .integer(Int($0.personID)) } ?? .null),
                        ("name", answer.match.map { .string($0.name) } ?? .null),
                        ("similarity", answer.bestSimilarity.map { .number($0, decimals: 4) } ?? .null),
                    ])),
                    ("candidates", .array(answer.candidates.map(\.json))),
                    ("method", .string(answer.method.rawValue)),
                    ("threshold", .number(answer.threshold, decimals: 4)),
                    ("masked", answer.probeMasked.map(JSONValue.bool) ?? .null),
                ] + (answer.warning.map { [("warning", JSONValue.string($0))] } ?? []))
            })),
        ])
    }
}
