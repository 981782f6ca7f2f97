import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VisageGallery
import VisageTestSupport
@testable import VisageServer

/// The audit trail names who asked (the key's name and role, never the key), what was asked,
/// how it ended and the request id the response carried; and the smaller hardening of the
/// request surface (repeated form fields, bidirectional controls in names, security headers).
struct AuditTests {
    static let keys = APIKeys(named: [
        (Fixtures.adminKey, APICaller(name: "alice", role: .admin)),
        (Fixtures.readKey, APICaller(name: "front-desk", role: .read)),
    ])

    @Test func everyGalleryRequestIsRecordedWithItsCaller() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service(keys: Self.keys)
        try await service.makeApplication().test(.router) { client in
            let (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom Hanks".utf8)), ("image", "tom.png", "image/png", tom)])
            let enrolled = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(enrolled.status == .created)
            let id = try #require(try enrolled.object()["id"] as? Int)
            let enrolRequest = try #require(enrolled.headers[.init("X-Request-Id")!])

            var requests: [(HTTPRequest.Method, String, String, String?, ByteBuffer?)] = [
                (.post, "/v1/people/\(id)/faces", Fixtures.adminKey, "image/png", ByteBuffer(bytes: tom)),
                (.post, "/v1/identify", Fixtures.readKey, "image/png", ByteBuffer(bytes: tom)),
                (.get, "/v1/people", Fixtures.adminKey, nil, nil),
                (.get, "/v1/people/\(id)", Fixtures.adminKey, nil, nil),
                (.delete, "/v1/people/\(id)", Fixtures.readKey, nil, nil),  // forbidden: a read key
            ]
            let (a, typeAB) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.png", "image/png", tom)])
            requests.append((.post, "/v1/verify", Fixtures.readKey, typeAB, a))
            let (q, typeQ) = Fixtures.multipart([("image", "tom.png", "image/png", tom), ("question", nil, nil, Array("Who is this?".utf8))])
            requests.append((.post, "/v1/ask", Fixtures.readKey, typeQ, q))
            requests.append((.delete, "/v1/people/\(id)", Fixtures.adminKey, nil, nil))
            for (method, uri, key, contentType, body) in requests {
                _ = try await client.execute(uri: uri, method: method, headers: headers(key: key, contentType: contentType), body: body)
            }
            // Not a key at all.
            _ = try await client.execute(uri: "/v1/people", method: .get, headers: headers(key: "not-a-key-at-all-0000"))
            // Open endpoints and analyses of no one are not audited.
            _ = try await client.execute(uri: "/v1/health", method: .get)

            let audit = try await client.execute(uri: "/v1/audit?limit=20", method: .get, headers: headers(key: Fixtures.adminKey))
            #expect(audit.status == .ok)
            let entries = try #require(try audit.object()["entries"] as? [[String: Any]]).reversed().map { $0 }
            let rows = entries.map { entry in
                [entry["actor"] as? String ?? "?", entry["role"] as? String ?? "-", entry["operation"] as? String ?? "?", entry["outcome"] as? String ?? "?"]
            }
            #expect(rows == [
                ["alice", "admin", "enroll", "ok"],
                ["alice", "admin", "add_faces", "ok"],
                ["front-desk", "read", "identify", "ok"],
                ["alice", "admin", "list_people", "ok"],
                ["alice", "admin", "view_person", "ok"],
                ["front-desk", "read", "delete", "forbidden"],
                ["front-desk", "read", "verify", "ok"],
                ["front-desk", "read", "identify", "ok"],
                ["alice", "admin", "delete", "ok"],
                ["unauthenticated", "-", "list_people", "unauthorized"],
            ])
            #expect(entries.first?["request_id"] as? String == enrolRequest)
            #expect((entries[2]["person_ids"] as? [Int]) == [id])  // identify names the match
            #expect((entries[5]["person_ids"] as? [Int]) == [id])  // the refused delete names its target
            #expect((entries[7]["person_ids"] as? [Int]) == [id])  // ask looked Tom up in the gallery
            #expect(!audit.text.contains(Fixtures.adminKey) && !audit.text.contains(Fixtures.readKey))

            // Reading the trail needs the admin role.
            let denied = try await client.execute(uri: "/v1/audit", method: .get, headers: headers(key: Fixtures.readKey))
            #expect(denied.status == .forbidden)
        }
        // The CLI reads the same rows from the gallery.
        let stored = try await service.gallery.auditLog(limit: 1)
        #expect(stored.first?.actor == "front-desk" || stored.first?.actor == "alice" || stored.first?.actor == "unauthenticated")
    }

    /// The router reaches an operation by other spellings of its path (a trailing slash, doubled
    /// slashes), and every one of them is audited as the operation it reached: before, only the
    /// canonical spelling was, so `DELETE /v1/people/7/` deleted a person without a trace.
    @Test func everySpellingOfAPathIsAudited() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service(keys: Self.keys)
        try await service.makeApplication().test(.router) { client in
            let (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom Hanks".utf8)), ("image", "tom.png", "image/png", tom)])
            let enrolled = try await client.execute(uri: "/v1/people/", method: .post, headers: headers(contentType: type), body: body)
            #expect(enrolled.status == .created)
            let id = try #require(try enrolled.object()["id"] as? Int)
            let requests: [(HTTPRequest.Method, String, String, String?, ByteBuffer?)] = [
                (.post, "//v1/identify", Fixtures.readKey, "image/png", ByteBuffer(bytes: tom)),
                (.get, "/v1//people", Fixtures.adminKey, nil, nil),
                (.get, "/v1/people/\(id)/", Fixtures.adminKey, nil, nil),
                (.delete, "//v1/people//\(id)//", Fixtures.adminKey, nil, nil),
            ]
            for (method, uri, key, contentType, body) in requests {
                let response = try await client.execute(uri: uri, method: method, headers: headers(key: key, contentType: contentType), body: body)
                #expect(response.status == .ok, "\(method) \(uri)")
            }
            let audit = try await client.execute(uri: "/v1/audit?limit=20", method: .get, headers: headers(key: Fixtures.adminKey))
            let entries = try #require(try audit.object()["entries"] as? [[String: Any]]).reversed().map { $0 }
            #expect(entries.map { $0["operation"] as? String ?? "?" } == ["enroll", "identify", "list_people", "view_person", "delete"])
            #expect(entries.map { $0["person_ids"] as? [Int] ?? [] } == [[id], [id], [], [id], [id]])
            // A method the path does not take is still told which it does.
            let put = try await client.execute(uri: "/v1/people/\(id)/", method: .put, headers: headers(key: Fixtures.adminKey))
            #expect(put.status == .methodNotAllowed)
        }
    }

    /// An id at the edge of Int64 is recorded and printed back (schemathesis found the trail
    /// trapping on it: JSON integers went through Double).
    @Test func hugePersonIDsAreRecorded() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let missing = try await client.execute(uri: "/v1/people/9223372036854775807", method: .get, headers: headers())
            #expect(missing.status == .notFound)
            let audit = try await client.execute(uri: "/v1/audit", method: .get, headers: headers())
            #expect(audit.status == .ok)
            #expect(audit.text.contains("9223372036854775807"))
        }
    }

    @Test func retentionDeletesOldEntries() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("g.gallery").path
        let gallery = try await Gallery.open(path)
        try await gallery.recordAudit(AuditEntry(time: Date(timeIntervalSinceNow: -10 * 86_400), actor: "old", operation: .identify, personIDs: []))
        try await gallery.recordAudit(AuditEntry(actor: "new", operation: .identify, personIDs: []))
        var configuration = Gallery.Configuration()
        configuration.auditRetention = .seconds(7 * 86_400)
        let reopened = try await Gallery.open(path, configuration: configuration)
        #expect(try await reopened.auditLog().map(\.actor) == ["new"])
    }

    @Test func repeatedFieldsAndBidiNamesAreRefused() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            var (body, type) = Fixtures.multipart([
                ("name", nil, nil, Array("Tom".utf8)), ("name", nil, nil, Array("Someone else".utf8)), ("image", "tom.png", "image/png", tom),
            ])
            var response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("`name` more than once"))

            (body, type) = Fixtures.multipart([("question", nil, nil, Array("How old?".utf8)), ("question", nil, nil, Array("Who?".utf8)),
                                               ("image", "tom.png", "image/png", tom)])
            response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)

            (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom\u{202E}sknaH".utf8)), ("image", "tom.png", "image/png", tom)])
            response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("bidirectional"))

            // Right-to-left letters themselves are fine.
            (body, type) = Fixtures.multipart([("name", nil, nil, Array("مريم".utf8)), ("image", "tom.png", "image/png", tom)])
            response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .created)
        }
    }

    /// A gallery that requires consent answers 422 consent_required to an enrolment without a
    /// record (multipart or a raw image), and enrols one whose metadata holds it.
    @Test func enrolmentWithoutConsentIsRefusedWhenTheGalleryRequiresIt() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let folder = try TemporaryDirectory.make(prefix: "visage-server-consent")
        let path = folder.appendingPathComponent("consent.gallery").path
        try await Gallery.open(path).setConsentRequired(true)
        let app = try await Fixtures.service(gallery: path).makeApplication()
        try await app.test(.router) { client in
            var (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom".utf8)), ("image", "tom.png", "image/png", tom)])
            var response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .unprocessableContent)
            #expect((try response.object()["error"] as? [String: Any])?["code"] as? String == "consent_required")

            response = try await client.execute(uri: "/v1/people?name=Tom", method: .post, headers: headers(contentType: "image/png"),
                                                body: ByteBuffer(bytes: tom))
            #expect(response.status == .unprocessableContent)

            (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom".utf8)),
                                               ("metadata", nil, nil, Array(#"{"consent": "form 2026-114"}"#.utf8)),
                                               ("image", "tom.png", "image/png", tom)])
            response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .created)
            #expect((try response.object()["metadata"] as? [String: String])?["consent"] == "form 2026-114")
        }
    }

    @Test func pageAndAPISendSecurityHeaders() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'sha256-"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-eval"))
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            let error = try await client.execute(uri: "/v1/nothing-here", method: .get)
            #expect(error.headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
            #expect(error.headers[.init("X-Request-Id")!] != nil)
        }
    }
}
