import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VisageServer

struct OpenAPIDocumentTests {
    static var document: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]) ?? [:] }

    static var operations: [(path: String, method: String)] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return paths.flatMap { path, item in
            item.keys.filter { ["get", "post", "put", "delete", "patch"].contains($0) }.map { (path, $0.uppercased()) }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    @Test func isOpenAPI3AndListsEveryRoute() {
        #expect((Self.document["openapi"] as? String)?.hasPrefix("3.") == true)
        let listed = Set(Self.operations.map { "\($0.method) \($0.path)" })
        let routes: Set<String> = [
            "POST /v1/analyze", "POST /v1/verify", "POST /v1/identify", "POST /v1/describe", "POST /v1/ask",
            "GET /v1/people", "POST /v1/people", "GET /v1/audit",
            "GET /v1/people/{id}", "DELETE /v1/people/{id}", "POST /v1/people/{id}/faces",
            "GET /v1/health", "GET /metrics", "GET /openapi.json", "GET /",
        ]
        #expect(listed == routes)
        // The 405 table agrees with the document.
        for path in Set(Self.operations.map(\.path)) {
            let concrete = path.replacingOccurrences(of: "{id}", with: "7")
            let methods = Self.operations.filter { $0.path == path }.map(\.method)
            #expect(Set(ErrorMiddleware<BasicRequestContext>.allowedMethods(for: concrete)?.components(separatedBy: ", ") ?? []) == Set(methods), "\(path)")
        }
    }

    @Test func everyReferenceResolves() {
        let text = OpenAPIDocument.json
        let components = Self.document["components"] as? [String: [String: Any]] ?? [:]
        for match in text.matches(of: #/"\$ref": "#/components/([a-zA-Z]+)/([a-zA-Z]+)"/#) {
            #expect(components[String(match.output.1)]?[String(match.output.2)] != nil, "\(match.output.0)")
        }
    }

    /// Every documented operation reaches a handler: no 404 "no such endpoint", no 405.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup` first"))
    func everyOperationIsRouted() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            for (path, method) in Self.operations {
                let uri = path.replacingOccurrences(of: "{id}", with: "4242")
                let response = try await client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: headers(contentType: "text/plain"))
                #expect(response.status != .methodNotAllowed, "\(method) \(path)")
                if response.status == .notFound { #expect(try response.errorCode() == "unknown_person", "\(method) \(path)") }
            }
        }
    }
}
