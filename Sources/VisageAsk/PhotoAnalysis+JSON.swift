public import VisageJSON
import VisageCore
import VisageModels

/// The `--json` shapes of `describe` and `ask`, shared by the CLI and the service
/// (`POST /v1/describe`, `POST /v1/ask`) so that both print the same keys in the same order.
extension PhotoAnalysis {
    /// One face's measurements, keys in a fixed order; measurements this build does not make
    /// (expression, mask) and identities without a gallery are left out.
    public func json(_ face: FaceFacts, description: Describer.FaceDescription? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("face", .integer(face.number))]
        if let description {
            fields.append(("position", .string(description.position)))
            fields.append(("description", .string(description.text)))
        } else {
            fields.append(("position", .string(Wording.position(of: face.box, width: width, height: height))))
        }
        fields += [
            ("box", .array([face.box.x, face.box.y, face.box.width, face.box.height].map { .number($0, decimals: 1) })),
            ("score", .number(face.detectorScore, decimals: 4)),
            ("age", face.age.map { .number($0, decimals: 1) } ?? .null),
            ("gender", face.gender.map { .object([("label", .string($0.label.rawValue)), ("score", .number($0.score, decimals: 4))]) } ?? .null),
        ]
        if let e = face.expression {
            fields.append(("expression", .object([("label", .string(e.label)), ("score", .number(e.probability, decimals: 4))])))
        }
        if let m = face.mask {
            fields.append(("mask", .object([("wearing", .bool(m.wearing)), ("score", m.probability.map { .number($0, decimals: 4) } ?? .null)])))
        }
        if let pose = face.pose {
            fields.append(("pose", .object([("facing", .string(pose.isFrontal ? "frontal" : pose.words)),
                                            ("yaw", .number(pose.yaw, decimals: 3)), ("roll", .number(pose.roll, decimals: 1))])))
        }
        let check = EnrollmentCheck(face: face)
        fields.append(("sharpness", face.sharpness.map { .number($0, decimals: 1) } ?? .null))
        fields.append(("enrolment", .object([("fit", .bool(check.passed)), ("problems", .array(check.problems.map { .string($0) }))])))
        if let id = face.identity {
            fields.append(("identity", .object([
                ("name", id.name.map { .string($0) } ?? .null),
                ("similarity", id.candidates.first.map { .number($0.similarity, decimals: 4) } ?? .null),
                ("threshold", .number(id.threshold, decimals: 4)),
            ])))
        }
        return .object(fields)
    }

    /// The whole photo's measurements: the grounding sent to a model server.
    public func json(image: String) -> JSONValue {
        .object([
            ("image", .string(image)), ("width", .integer(width)), ("height", .integer(height)),
            ("faces", .array(faces.map { json($0) })),
        ])
    }

    /// `describe --json`: the photo, the summary sentence, and each face with its description.
    public func descriptionJSON(image: String) -> JSONValue {
        let description = Describer(photo: self).describe()
        return .object([
            ("image", .string(image)), ("width", .integer(width)), ("height", .integer(height)),
            ("summary", .string(description.summary)),
            ("faces", .array(zip(faces, description.faces).map { json($0, description: $1) })),
        ])
    }
}

extension Answer {
    /// `ask --json`: exactly question, answer, value, confidence, source.
    public var json: JSONValue {
        let value: JSONValue = switch self.value {
        case nil: .null
        case let .bool(b)?: .bool(b)
        case let .string(s)?: .string(s)
        case let .number(n)?: .number(n, decimals: n == n.rounded() ? 0 : 2)
        }
        return .object([
            ("question", .string(question)), ("answer", .string(text)), ("value", value),
            ("confidence", confidence.map { .number($0, decimals: 4) } ?? .null), ("source", .string(source)),
        ])
    }
}
