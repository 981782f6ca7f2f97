import Foundation
import HTTPTypes
import VisageGallery
import VisageJSON
import Yams

/// `openapi.yaml`, the one place where the API is declared, as the running server reads it.
///
/// swift-openapi-generator's build plugin makes `APIProtocol` and its routes from the same file;
/// this type reads what the generator leaves to the server: the document itself (served as
/// written at `/openapi.yaml` and as JSON at `/openapi.json`), and each operation's API-key role
/// (`x-visage-role`) and audit operation (`x-visage-audit`), from which the router groups, the
/// audit trail and the 405 answers follow.
struct OpenAPISpec: Sendable {
    /// One operation of the document.
    struct Operation: Sendable, Equatable {
        var method: HTTPRequest.Method
        /// The path template as written, e.g. `/v1/people/{id}`.
        var path: String
        var operationID: String
        /// The role an API key needs; nil for an open operation (`security: []`).
        var role: APIRole?
        /// What the audit trail records for it; nil when it is not audited.
        var audit: AuditEntry.Operation?
        /// The media types of its request body, as listed; empty without one.
        var contentTypes: [String] = []
        /// Its query parameters: name, schema type, and the values an array's items may take.
        var queryParameters: [(name: String, type: String, values: [String])] = []
        /// Its path parameters (`{id}`): name and schema type.
        var pathParameters: [(name: String, type: String)] = []

        static func == (a: Operation, b: Operation) -> Bool {
            (a.method, a.path, a.operationID, a.role, a.audit, a.contentTypes) == (b.method, b.path, b.operationID, b.role, b.audit, b.contentTypes)
        }

        /// The first query parameter of `query` whose value does not fit its schema's type, for
        /// an answer that names it (the generated code's decoding error does not). A value whose
        /// percent-encoding is broken or not UTF-8 fits no type.
        func misfit(in query: String) -> String? {
            for item in query.split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
                guard let parameter = queryParameters.first(where: { $0.name == name }) else { continue }
                guard let value = pair.count > 1 ? String(pair[1]).removingPercentEncoding : "",
                      Self.fits(value, type: parameter.type, values: parameter.values) else { return name }
            }
            return nil
        }

        /// The first query parameter of `query` this operation does not take: `?treshold=0.5`
        /// would otherwise be dropped without a word, and the decision made at the default.
        func unknownParameter(in query: String) -> String? {
            for item in query.split(separator: "&") {
                let raw = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                let name = String(raw).removingPercentEncoding ?? String(raw)
                if !queryParameters.contains(where: { $0.name == name }) { return name }
            }
            return nil
        }

        /// The first path parameter whose value (as the router captured it) does not fit its
        /// schema's type: `/v1/people/abc` names `id`.
        func misfit(inPath parameters: [String: Substring]) -> String? {
            for parameter in pathParameters {
                guard let raw = parameters[parameter.name] else { continue }
                guard let value = String(raw).removingPercentEncoding, Self.fits(value, type: parameter.type, values: []) else { return parameter.name }
            }
            return nil
        }

        static func fits(_ value: String, type: String, values: [String]) -> Bool {
            switch type {
            case "boolean": value == "true" || value == "false"
            case "integer": Int64(value) != nil
            case "number": Double(value).map(\.isFinite) ?? false
            case "array": !value.isEmpty && value.split(separator: ",", omittingEmptySubsequences: false).allSatisfy {
                values.isEmpty || values.contains(String($0))
            }
            default: true
            }
        }
    }

    /// The document as written (YAML).
    let yaml: String
    /// The document as JSON, keys in the order written, numbers as written.
    let json: String
    /// Every operation, in the order of the document.
    let operations: [Operation]

    /// The spec bundled with the server (`Sources/VisageServer/openapi.yaml`).
    static let bundled: OpenAPISpec = {
        do {
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
                throw OpenAPISpecError("openapi.yaml is missing from VisageServer's resources")
            }
            return try OpenAPISpec(yaml: String(decoding: try Data(contentsOf: url), as: UTF8.self))
        } catch {
            // The file is part of the build: a broken one is a programming error, caught by OpenAPISpecTests.
            fatalError("VisageServer's openapi.yaml cannot be read: \(error)")
        }
    }()

    init(yaml: String) throws {
        self.yaml = yaml
        guard let root = try Yams.compose(yaml: yaml) else { throw OpenAPISpecError("the document is empty") }
        json = Self.jsonValue(root).rendered
        var operations: [Operation] = []
        guard let paths = root["paths"]?.mapping else { throw OpenAPISpecError("the document has no `paths`") }
        for (pathNode, item) in paths {
            guard let path = pathNode.string, let item = item.mapping else { continue }
            for (methodNode, operation) in item {
                guard let name = methodNode.string, Self.methods.contains(name),
                      let method = HTTPRequest.Method(name.uppercased()) else { continue }
                guard let operationID = operation["operationId"]?.string else {
                    throw OpenAPISpecError("\(name.uppercased()) \(path) has no operationId")
                }
                var role: APIRole?
                if let text = operation["x-visage-role"]?.string {
                    guard let value = APIRole(rawValue: text) else {
                        throw OpenAPISpecError("\(operationID): x-visage-role `\(text)` is not a role (read, admin)")
                    }
                    role = value
                } else if operation["security"]?.sequence?.isEmpty != true {
                    throw OpenAPISpecError("\(operationID) has neither x-visage-role nor `security: []`: say which key it needs")
                }
                var audit: AuditEntry.Operation?
                if let text = operation["x-visage-audit"]?.string {
                    guard let value = AuditEntry.Operation(rawValue: text) else {
                        throw OpenAPISpecError("\(operationID): x-visage-audit `\(text)` is not an audit operation")
                    }
                    audit = value
                }
                var body = operation["requestBody"]
                if let reference = body?["$ref"]?.string, reference.hasPrefix("#/components/requestBodies/") {
                    body = root["components"]?["requestBodies"]?[String(reference.dropFirst("#/components/requestBodies/".count))]
                }
                let contentTypes = body?["content"]?.mapping?.keys.compactMap(\.string) ?? []
                var queryParameters: [(name: String, type: String, values: [String])] = []
                var pathParameters: [(name: String, type: String)] = []
                for var parameter in (item["parameters"]?.sequence.map(Array.init) ?? []) + (operation["parameters"]?.sequence.map(Array.init) ?? []) {
                    if let reference = parameter["$ref"]?.string, reference.hasPrefix("#/components/parameters/"),
                       let resolved = root["components"]?["parameters"]?[String(reference.dropFirst("#/components/parameters/".count))] {
                        parameter = resolved
                    }
                    guard let name = parameter["name"]?.string else { continue }
                    let schema = parameter["schema"]
                    if parameter["in"]?.string == "path" { pathParameters.append((name, schema?["type"]?.string ?? "string")) }
                    guard parameter["in"]?.string == "query" else { continue }
                    queryParameters.append((name, schema?["type"]?.string ?? "string",
                                            schema?["items"]?["enum"]?.sequence?.compactMap(\.string) ?? []))
                }
                operations.append(Operation(method: method, path: path, operationID: operationID, role: role, audit: audit,
                                            contentTypes: contentTypes, queryParameters: queryParameters, pathParameters: pathParameters))
            }
        }
        self.operations = operations
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The operation at `method` and template `path` (as the generator registers it).
    func operation(method: HTTPRequest.Method, template path: String) -> Operation? {
        operations.first { $0.method == method && $0.path == path }
    }

    /// The operation a request reaches, matching its concrete path against the templates.
    func operation(method: HTTPRequest.Method, path: String) -> Operation? {
        operations.first { $0.method == method && Self.matches(template: $0.path, path: path) }
    }

    /// The methods of a concrete path, as an `Allow` header lists them (HEAD after each GET: the
    /// router answers it for every GET route); nil for a path the API does not have.
    func allowedMethods(for path: String) -> String? {
        let methods = operations.filter { Self.matches(template: $0.path, path: path) }
            .flatMap { $0.method == .get ? ["GET", "HEAD"] : [$0.method.rawValue] }
        return methods.isEmpty ? nil : methods.joined(separator: ", ")
    }

    /// Whether `path` fits `template`: the same segments, `{name}` standing for any one segment.
    /// Empty segments do not count, as Hummingbird's router reads a path: `/v1/people/7/` and
    /// `//v1/people/7` reach `/v1/people/{id}`.
    static func matches(template: String, path: String) -> Bool {
        let t = template.split(separator: "/")
        let p = path.split(separator: "/")
        guard t.count == p.count else { return false }
        return zip(t, p).allSatisfy { t, p in (t.hasPrefix("{") && t.hasSuffix("}") && !p.isEmpty) || t == p }
    }

    /// A YAML node as JSON: mappings keep their order; numbers print as written (0.303, not 0.30299999999999999).
    static func jsonValue(_ node: Node) -> JSONValue {
        switch node {
        case let .scalar(scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map(JSONValue.integer) ?? .string(scalar.string)
            case .float:
                guard let value = node.float else { return .string(scalar.string) }
                let decimals = scalar.string.split(separator: ".").dropFirst().first.map { $0.prefix { $0.isNumber }.count } ?? 0
                return .number(value, decimals: decimals)
            default: return .string(scalar.string)
            }
        case let .mapping(mapping):
            return .object(mapping.map { key, value in (key.string ?? "", jsonValue(value)) })
        case let .sequence(sequence):
            return .array(sequence.map(jsonValue))
        }
    }
}

/// openapi.yaml does not say what the server needs; the message says what and where.
struct OpenAPISpecError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
