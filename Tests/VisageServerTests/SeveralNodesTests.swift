import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing
import VisageGallery
@testable import VisageServer

/// Two service nodes on two loopback ports, each with its own gallery (connection pool and
/// index) over one PostgreSQL database: what one enrols or deletes, the other sees at once.
@Suite(.enabled(if: Fixtures.hasModels, "the models and samples are missing: run `make setup` (scripts/setup) first"))
struct SeveralNodesTests {
    @Test func enrolThroughOneNodeIdentifyThroughTheOther() async throws {
        guard let server = ProcessInfo.processInfo.environment["VISAGE_TEST_POSTGRES_URL"], !server.isEmpty else {
            try Test.cancel("VISAGE_TEST_POSTGRES_URL is unset: skipping the two-node test (`make test` starts a server with scripts/test-postgres)")
        }
        let database = try await Self.newDatabase(on: server)
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        // Both nodes open the gallery before anyone is enrolled, as two servers started together would.
        let first = try await Fixtures.service(gallery: database).makeApplication()
        let second = try await Fixtures.service(gallery: database).makeApplication()
        try await first.test(.live) { one in
            try await second.test(.live) { two in
                #expect(one.port != nil && two.port != nil && one.port != two.port)
                let (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom Hanks".utf8)), ("image", "tom.png", "image/png", tom)])
                var response = try await one.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
                #expect(response.status == .created)
                let id = try #require(try response.object()["id"] as? Int)

                response = try await two.execute(uri: "/v1/identify", method: .post, headers: headers(key: Fixtures.readKey, contentType: "image/png"),
                                                 body: ByteBuffer(bytes: tom))
                #expect(response.status == .ok)
                let identity = try #require((try response.object()["faces"] as? [[String: Any]])?.first?["identity"] as? [String: Any])
                #expect(identity["name"] as? String == "Tom Hanks")
                #expect(identity["id"] as? Int == id)
                #expect((identity["similarity"] as? Double ?? 0) > 0.99)

                // A second face through the second node; the first lists both templates.
                response = try await two.execute(uri: "/v1/people/\(id)/faces", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
                #expect(response.status == .created)
                response = try await one.execute(uri: "/v1/people/\(id)", method: .get, headers: headers())
                #expect(try response.object()["templates"] as? Int == 2)

                // Deleted through the second node: the first no longer recognises him.
                response = try await two.execute(uri: "/v1/people/\(id)", method: .delete, headers: headers())
                #expect(response.status == .ok)
                response = try await one.execute(uri: "/v1/identify", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
                let after = try #require((try response.object()["faces"] as? [[String: Any]])?.first?["identity"] as? [String: Any])
                #expect(after["name"] is NSNull)
                response = try await one.execute(uri: "/v1/people", method: .get, headers: headers())
                #expect((try response.object()["people"] as? [Any])?.isEmpty == true)
            }
        }
    }

    /// A fresh database on the test server for this test; its URL.
    static func newDatabase(on server: String) async throws -> String {
        let location = try PostgresLocation(server)
        let name = "visage_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "visage.tests"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "visage.tests"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        let path = try #require(server.range(of: "/\(location.database)", options: .backwards))
        return server.replacingCharacters(in: path, with: "/\(name)")
    }
}
