import Foundation
public import VisageJSON

extension Person {
    /// `id`, `name`, `metadata` (keys sorted), `templates` (a count), `created` (ISO 8601).
    public var json: JSONValue {
        .object([
            ("id", .integer(Int(id))),
            ("name", .string(name)),
            ("metadata", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("templates", .integer(templateCount)),
            ("created", .string(ISO8601DateFormatter().string(from: created))),
        ])
    }

    /// ``json`` plus `template_list`: each template's `id`, `model`, `sha256`, `box`, `quality`,
    /// `created`, `masked`, `attention_head`, never its embedding (`visage people show --json`);
    /// and `warning` when given (an enrolment from a masked photo).
    public func json(templates: [Template], warning: String? = nil) -> JSONValue {
        guard case var .object(fields) = json else { return json }
        fields.append(("template_list", .array(templates.map(\.json))))
        if let warning { fields.append(("warning", .string(warning))) }
        return .object(fields)
    }
}

extension Template {
    /// Where the template came from, without the embedding.
    public var json: JSONValue {
        .object([
            ("id", .integer(Int(id))),
            ("model", .string(model)),
            ("sha256", sourceSHA256.map { .string($0) } ?? .null),
            ("box", box.map(\.json) ?? .null),
            ("quality", quality.map { .number($0, decimals: 4) } ?? .null),
            ("created", .string(ISO8601DateFormatter().string(from: created))),
            ("masked", masked.map(JSONValue.bool) ?? .null),
            ("attention_head", .bool(maskedFaceEmbedding != nil)),
        ])
    }
}

extension VisageJSON {
    /// A deleted person: `id`, `deleted` (true), `templates` (how many were removed).
    public static func deletion(id: Int64, templates: Int) -> JSONValue {
        .object([("id", .integer(Int(id))), ("deleted", .bool(true)), ("templates", .integer(templates))])
    }
}

extension AuditEntry {
    /// One audit entry as `visage gallery audit --json` and `GET /v1/audit` print it; `role` and
    /// `request_id` are null outside the service, `detail` for anything but a `policy` change.
    public var json: JSONValue {
        .object([
            ("time", .string(ISO8601DateFormatter().string(from: time))),
            ("actor", .string(actor)),
            ("role", role.map(JSONValue.string) ?? .null),
            ("operation", .string(operation.rawValue)),
            ("person_ids", .array(personIDs.map { .integer(Int($0)) })),
            ("outcome", .string(outcome)),
            ("request_id", requestID.map(JSONValue.string) ?? .null),
            ("detail", detail.map(JSONValue.string) ?? .null),
        ])
    }
}
