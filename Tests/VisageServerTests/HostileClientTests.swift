import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import VisageServer

/// Clients that misbehave on purpose, over real sockets on loopback: bodies that never finish,
/// too many connections, bodies too large for the server's memory, requests that are not HTTP.
/// Each test fails without the guard it covers (``UploadReader``, ``UploadBudget``,
/// ``ConnectionRegistry``, ``ConnectionGuard``).
@Suite(.serialized) struct HostileClientTests {
    /// A client that writes its whole body before reading (Python's urllib does) still reads the
    /// early 413, and the server then closes the connection instead of waiting for more.
    @Test func earlyPayloadTooLargeReachesAClientThatWritesFirst() async throws {
        let app = try await Fixtures.service { $0.maxBodyBytes = 64 * 1024 }.makeApplication()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            let body = [UInt8](repeating: 0xFF, count: 4 * 1024 * 1024)
            try await connection.send(RawConnection.head("POST", "/v1/analyze", headers: [
                ("Authorization", "Bearer \(Fixtures.adminKey)"), ("Content-Type", "image/jpeg"), ("Content-Length", String(body.count)),
                ("Connection", "close"),  // as urllib sends it: the server then stops reading once it has answered
            ]))
            try await connection.send(body)  // 4 MiB: far more than the socket buffers hold unread
            let response = try #require(await connection.readResponse())
            #expect(response.status == 413)
            #expect(response.errorCode == "payload_too_large")
            #expect(response.headers["connection"] == "close")
            #expect(try await connection.isClosedByPeer())
        }
    }

    /// A body trickled slower than the minimum rate gets 408 when its time is up, and its connection closes.
    @Test func slowBodyTimesOut() async throws {
        let app = try await Fixtures.service {
            $0.uploadGrace = .seconds(1)
            $0.minimumUploadRate = 1024 * 1024 * 1024
        }.makeApplication()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            let start = ContinuousClock.now
            try await connection.send(RawConnection.head("POST", "/v1/analyze", headers: [
                ("Authorization", "Bearer \(Fixtures.adminKey)"), ("Content-Type", "image/jpeg"), ("Content-Length", "100000"),
            ]))
            try await connection.send([UInt8](repeating: 0xFF, count: 100))
            let response = try #require(await connection.readResponse())
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
            // Its 1 s grace, not the default 10 s nor the idle timeout: 9 s leaves room for a
            // CI machine whose cores are busy with other suites (6.6 s seen under a parallel build).
            #expect(ContinuousClock.now - start < .seconds(9))
            #expect(try await connection.isClosedByPeer())
        }
    }

    /// Uploads reserve their Content-Length before the body is read: past the server's budget
    /// the next one gets 503 at once, past one key's share 429, while another key still gets in.
    @Test func uploadBudgetRefusesBeforeReading() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let keys = APIKeys(named: [
            (Fixtures.adminKey, APICaller(name: "alice", role: .admin)),
            (Fixtures.readKey, APICaller(name: "kiosk", role: .read)),
        ])
        let size = 60_000
        let app = try await Fixtures.service(keys: keys) {
            $0.maxBodyBytes = 64 * 1024
            $0.maxUploadBytesPerKey = 100_000
            $0.maxUploadBytesInFlight = 100_000 + tom.count + 1000
        }.makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            func start(_ key: String, length: Int) async throws -> RawConnection {
                let connection = try RawConnection(port: port)
                try await connection.send(RawConnection.head("POST", "/v1/analyze", headers: [
                    ("Authorization", "Bearer \(key)"), ("Content-Type", "image/jpeg"), ("Content-Length", String(length)),
                ]))
                return connection
            }
            // The read key holds 60,000 bytes with a body that has not arrived.
            let holding = try await start(Fixtures.readKey, length: size)
            try await holding.send([0xFF, 0xD8])
            try await Task.sleep(for: .milliseconds(300))
            // Its second upload would pass its share: 429.
            let second = try await start(Fixtures.readKey, length: size)
            let refused = try #require(await second.readResponse())
            #expect(refused.status == 429)
            #expect(refused.errorCode == "too_many_uploads")
            #expect(refused.headers["retry-after"] != nil)
            // The other key still uploads a real photo.
            let response = try await client.execute(uri: "/v1/analyze", method: .post,
                                                    headers: headers(key: Fixtures.adminKey, contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .ok)
            // With the photo's reservation returned: 60,000 + 30,000 held, and 30,000 more would pass the server's total: 503.
            let admin = try await start(Fixtures.adminKey, length: 30_000)
            try await admin.send([0xFF, 0xD8])
            try await Task.sleep(for: .milliseconds(300))
            let third = try await start(Fixtures.adminKey, length: 30_000)
            let full = try #require(await third.readResponse())
            #expect(full.status == 503)
            #expect(full.errorCode == "busy")
        }
    }

    /// At the connection cap a new connection takes the place of the longest-idle one, so
    /// health answers however many connections sit idle; when every connection has a request
    /// in flight, the new one gets a JSON 503.
    @Test func connectionCapEvictsIdleConnections() async throws {
        let app = try await Fixtures.service { $0.maxConnections = 4 }.makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            var idle: [RawConnection] = []
            for _ in 0..<4 {
                idle.append(try RawConnection(port: port))
                try await Task.sleep(for: .milliseconds(50))
            }
            // Half a request head counts as idle.
            try await idle[1].send("GET /v1/hea")
            let health = try RawConnection(port: port)
            try await health.send(RawConnection.head("GET", "/v1/health", headers: []))
            #expect(try await health.readResponse()?.status == 200)
            #expect(try await idle[0].isClosedByPeer())

            // Every connection busy with an upload: a new one is refused with 503 busy.
            var busy: [RawConnection] = []
            for _ in 0..<4 {
                let connection = try RawConnection(port: port)
                try await connection.send(RawConnection.head("POST", "/v1/analyze", headers: [
                    ("Authorization", "Bearer \(Fixtures.adminKey)"), ("Content-Type", "image/jpeg"), ("Content-Length", "50000"),
                ]))
                busy.append(connection)
                try await Task.sleep(for: .milliseconds(100))
            }
            let refused = try RawConnection(port: port)
            try await refused.send(RawConnection.head("GET", "/v1/health", headers: []))
            let response = try #require(await refused.readResponse())
            #expect(response.status == 503)
            #expect(response.errorCode == "busy")
            #expect(response.headers["connection"] == "close")
        }
    }

    /// A request the HTTP parser cannot read gets a JSON 400, as every other error.
    @Test func unparsableRequestGetsJSON() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            try await connection.send("THIS IS NOT HTTP\r\n\u{01}\u{02}\r\n\r\n")
            let response = try #require(await connection.readResponse())
            #expect(response.status == 400)
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(response.errorCode == "bad_request")
        }
    }

    /// A client that drops its upload half-way is counted as such, not as a server error.
    @Test func clientDisconnectIsNotAServerError() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.live) { client in
            do {
                let connection = try RawConnection(port: try #require(client.port))
                try await connection.send(RawConnection.head("POST", "/v1/analyze", headers: [
                    ("Authorization", "Bearer \(Fixtures.adminKey)"), ("Content-Type", "image/jpeg"), ("Content-Length", "100000"),
                ]))
                try await connection.send([UInt8](repeating: 0xFF, count: 1000))
            }  // closed here
            try await Task.sleep(for: .milliseconds(500))
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"visage_http_requests_total{route="/v1/analyze",method="POST",status="client_closed"} 1"#))
            #expect(!metrics.contains(#"status="500""#))
        }
    }

    /// A client that sends `Expect: 100-continue` (curl for any body over 1 MiB, and for forms of
    /// a file of unknown size) is told to go on once its upload is admitted, instead of waiting
    /// for a `100 Continue` that never came (curl gave up after 1 s and sent the body anyway, so
    /// every large photo took a second longer); a request refused before its body is read gets
    /// its final answer and no 100.
    @Test func expectContinueIsAnswered() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service { $0.maxBodyBytes = 4 * 1024 * 1024 }.makeApplication()
        try await app.test(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            try await connection.send(RawConnection.head("POST", "/v1/analyze?attributes=age", headers: [
                ("Authorization", "Bearer \(Fixtures.readKey)"), ("Content-Type", "image/png"), ("Content-Length", String(tom.count)),
                ("Expect", "100-continue"),
            ]))
            let interim = try await connection.receive { $0.contains("\r\n\r\n") }
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim.debugDescription)")
            try await connection.send(tom)
            let response = try #require(await connection.readResponse())
            #expect(response.status == 200)
            #expect(response.body.contains("\"faces\": [{"))

            // Too large, or no key: the final answer at once, without a 100.
            for (headers, status) in [
                ([("Authorization", "Bearer \(Fixtures.readKey)"), ("Content-Length", String(8 * 1024 * 1024))], 413),
                ([("Content-Length", String(tom.count))], 401),
            ] {
                let refused = try RawConnection(port: try #require(client.port))
                try await refused.send(RawConnection.head("POST", "/v1/analyze", headers: headers + [("Content-Type", "image/png"), ("Expect", "100-continue")]))
                let answer = try #require(await refused.readResponse())
                #expect(answer.status == status)
            }
        }
    }
}
