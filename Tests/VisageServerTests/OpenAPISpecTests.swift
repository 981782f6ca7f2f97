import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Visage
import VisageGallery
@testable import VisageServer

/// openapi.yaml, the one place the API is declared, as the server reads and serves it.
struct OpenAPISpecTests {
    static let spec = OpenAPISpec.bundled
    /// The JSON the server serves at /openapi.json.
    static var document: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(spec.json.utf8)) as? [String: Any]) ?? [:] }

    @Test func isOpenAPI3AndListsEveryOperation() {
        #expect((Self.document["openapi"] as? String)?.hasPrefix("3.") == true)
        let listed = Set(Self.spec.operations.map { "\($0.method.rawValue) \($0.path)" })
        #expect(listed == [
            "POST /v1/analyze", "POST /v1/verify", "POST /v1/identify", "POST /v1/describe", "POST /v1/ask",
            "GET /v1/people", "POST /v1/people", "GET /v1/audit", "GET /v1/thresholds", "GET /v1/models",
            "GET /v1/people/{id}", "DELETE /v1/people/{id}", "POST /v1/people/{id}/faces",
            "GET /v1/health", "GET /metrics", "GET /openapi.json", "GET /openapi.yaml", "GET /",
        ])
        // The JSON lists the same operations as the parsed YAML.
        let paths = Self.document["paths"] as? [String: [String: Any]] ?? [:]
        let fromJSON = paths.flatMap { path, item in item.keys.filter(OpenAPISpec.methods.contains).map { "\($0.uppercased()) \(path)" } }
        #expect(Set(fromJSON) == listed)
    }

    /// Roles and audit operations come from the spec: people and the audit trail need admin,
    /// the analyses, the thresholds and the models read, the service's own pages nothing.
    @Test func rolesAndAuditFromTheSpec() {
        for operation in Self.spec.operations {
            switch operation.path {
            case "/v1/analyze", "/v1/verify", "/v1/identify", "/v1/describe", "/v1/ask", "/v1/thresholds", "/v1/models": #expect(operation.role == .read, "\(operation.operationID)")
            case let path where path.hasPrefix("/v1/people") || path == "/v1/audit": #expect(operation.role == .admin, "\(operation.operationID)")
            default: #expect(operation.role == nil, "\(operation.operationID)")
            }
        }
        #expect(Self.spec.operation(method: .post, path: "/v1/people/7/faces")?.audit == .addFaces)
        #expect(Self.spec.operation(method: .get, path: "/v1/people/7")?.audit == .viewPerson)
        #expect(Self.spec.operation(method: .post, path: "/v1/ask")?.audit == .identify)
        #expect(Self.spec.operation(method: .post, path: "/v1/analyze")?.audit == nil)
        #expect(Self.spec.allowedMethods(for: "/v1/people/7") == "GET, HEAD, DELETE")
        #expect(Self.spec.allowedMethods(for: "/v1/people") == "GET, HEAD, POST")
        // Empty segments do not count, as the router reads a path.
        #expect(Self.spec.allowedMethods(for: "/v1/people/") == "GET, HEAD, POST")
        #expect(Self.spec.allowedMethods(for: "//v1/people//7/") == "GET, HEAD, DELETE")
        #expect(Self.spec.allowedMethods(for: "/v2/nothing") == nil)
    }

    @Test func everyReferenceResolves() {
        let components = Self.document["components"] as? [String: [String: Any]] ?? [:]
        for match in Self.spec.json.matches(of: #/"\$ref": "#/components/([a-zA-Z]+)/([a-zA-Z]+)"/#) {
            #expect(components[String(match.output.1)]?[String(match.output.2)] != nil, "\(match.output.0)")
        }
    }

    /// The thresholds the spec documents are the library's: Swift no longer types them a second time.
    @Test func documentedThresholdsAreTheLibrarys() throws {
        let verify = try #require((Self.document["paths"] as? [String: Any]).flatMap { $0["/v1/verify"] as? [String: Any] }?["post"] as? [String: Any])
        let parameter = try #require((verify["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "threshold" })
        let text = try #require(parameter["description"] as? String)
        let numbers = text.matches(of: #/0\.\d+/#).compactMap { Float($0.output) }
        #expect(numbers == [Verification.defaultThreshold, Verification.oneMaskedThreshold, Verification.bothMaskedThreshold], "\(text)")
        // Numbers keep their written form in the JSON rendering.
        #expect(Self.spec.json.contains("0.303 with"))
        #expect(Self.spec.json.contains(#""minimum": -1, "maximum": 1"#))
    }

    @Test func yamlScalarsBecomeTheirJSONTypes() throws {
        let spec = try OpenAPISpec(yaml: """
        openapi: 3.0.3
        a: '200'
        b: 200
        c: 0.250
        d: true
        e: null
        f: [x, 'y']
        paths:
          /x:
            get:
              operationId: x
              security: []
        """)
        #expect(spec.json == #"{"openapi": "3.0.3", "a": "200", "b": 200, "c": 0.25, "d": true, "e": null, "f": ["x", "y"], "paths": {"/x": {"get": {"operationId": "x", "security": []}}}}"#)
        #expect(throws: OpenAPISpecError.self) { try OpenAPISpec(yaml: "paths:\n  /x:\n    get:\n      operationId: x\n") }
    }

    /// Every documented operation reaches a handler: no 404 "no such endpoint", no 405; the
    /// document is served as written and as JSON.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup` first"))
    func everyOperationIsRouted() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            for operation in Self.spec.operations {
                let uri = operation.path.replacingOccurrences(of: "{id}", with: "4242")
                let response = try await client.execute(uri: uri, method: operation.method, headers: headers(contentType: "text/plain"))
                #expect(response.status != .methodNotAllowed, "\(operation.operationID)")
                if response.status == .notFound { #expect(try response.errorCode() == "unknown_person", "\(operation.operationID)") }
            }
            var response = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok && response.text == Self.spec.yaml)
            response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok && response.text == Self.spec.json)
            #expect(response.headers[.contentType] == "application/json")
        }
    }
}
