import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VisageGallery
@testable import VisageServer

/// HEAD answers as GET would, without the body (RFC 9110, 9.3.2): every GET route answered it
/// with 405, so a client or monitor checking a URL with HEAD saw the API as broken.
@Suite(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup` first"))
struct HeadRequestTests {
    static let keys = APIKeys(named: [(Fixtures.adminKey, APICaller(name: "alice", role: .admin))])

    /// Each GET operation of openapi.yaml: the same status and headers as its GET, no body, and
    /// the Content-Length the GET's body has.
    @Test func everyGetRouteAnswersHead() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service(keys: Self.keys)
        try await service.makeApplication().test(.router) { client in
            let (form, type) = Fixtures.multipart([("name", nil, nil, Array("Tom Hanks".utf8)), ("image", "tom.png", "image/png", tom)])
            let enrolled = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: form)
            let id = try #require(try enrolled.object()["id"] as? Int)
            let gets = OpenAPISpec.bundled.operations.filter { $0.method == .get }
            #expect(gets.count >= 8)
            for operation in gets {
                let uri = operation.path.replacingOccurrences(of: "{id}", with: "\(id)")
                let get = try await client.execute(uri: uri, method: .get, headers: headers())
                let head = try await client.execute(uri: uri, method: .head, headers: headers())
                #expect(get.status == .ok, "GET \(uri): \(get.status)")
                #expect(head.status == get.status, "HEAD \(uri): \(head.status) \(head.text)")
                #expect(head.body.readableBytes == 0, "HEAD \(uri) sent a body")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
                #expect(head.headers[.xContentTypeOptions] == "nosniff", "HEAD \(uri)")
                // /metrics and the audit trail change with each request; the rest are the same bytes.
                if !["/metrics", "/v1/audit"].contains(operation.path) {
                    #expect(head.headers[.contentLength] == String(get.body.readableBytes), "HEAD \(uri)")
                }
            }
        }
    }

    /// A HEAD that GET would refuse is refused the same way, without a body; one on a path
    /// without GET gets 405 with the methods it takes.
    @Test func refusalsOfHeadHaveNoBody() async throws {
        let service = try await Fixtures.service(keys: Self.keys)
        try await service.makeApplication().test(.router) { client in
            var response = try await client.execute(uri: "/v1/people", method: .head)
            #expect(response.status == .unauthorized)
            #expect(response.body.readableBytes == 0)
            response = try await client.execute(uri: "/v1/people/9999", method: .head, headers: headers())
            #expect(response.status == .notFound)
            #expect(response.body.readableBytes == 0)
            response = try await client.execute(uri: "/v1/analyze", method: .head, headers: headers())
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.body.readableBytes == 0)
            response = try await client.execute(uri: "/v1/people/1", method: .put, headers: headers())
            #expect(response.headers[.allow] == "GET, HEAD, DELETE")
        }
    }

    /// A HEAD runs its GET once and is recorded as that GET would be: a person view is one
    /// `view_person` row (its status says whether the person exists), an open route none;
    /// /metrics counts it under HEAD.
    @Test func headIsAuditedAndCountedAsItsGet() async throws {
        let service = try await Fixtures.service(keys: Self.keys)
        try await service.makeApplication().test(.router) { client in
            _ = try await client.execute(uri: "/v1/people/7", method: .head, headers: headers())
            _ = try await client.execute(uri: "/v1/people", method: .head, headers: headers())
            _ = try await client.execute(uri: "/v1/health", method: .head)
            let audit = try await client.execute(uri: "/v1/audit", method: .get, headers: headers())
            let entries = try #require(try audit.object()["entries"] as? [[String: Any]]).reversed().map { $0 }
            #expect(entries.map { $0["operation"] as? String ?? "?" } == ["view_person", "list_people"])
            #expect(entries.map { $0["outcome"] as? String ?? "?" } == ["unknown_person", "ok"])
            #expect((entries.first?["person_ids"] as? [Int]) == [7])
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"visage_http_requests_total{route="/v1/health",method="HEAD",status="200"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"visage_http_requests_total{route="/v1/people/{id}",method="HEAD",status="404"} 1"#), "\(metrics)")
        }
    }

    /// Over a socket: the HEAD answer carries Content-Length but no bytes after its head, so the
    /// next response on the same connection starts right after it.
    @Test func headKeepsTheConnectionInStep() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawConnection(port: port)
            try await connection.send(RawConnection.head("HEAD", "/openapi.yaml", headers: []) + RawConnection.head("GET", "/v1/health", headers: []))
            let text = try await connection.receive { $0.contains(#""status": "ok""#) }
            let first = try #require(text.range(of: "\r\n\r\n"), "no response within the timeout: \(text.debugDescription)")
            let head = try #require(RawResponse(String(text[..<first.upperBound])))
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == String(OpenAPISpec.bundled.yaml.utf8.count))
            #expect(text[first.upperBound...].hasPrefix("HTTP/1.1 200"), "\(text.prefix(600))")
        }
    }
}
