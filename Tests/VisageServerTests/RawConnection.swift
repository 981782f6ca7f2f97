import Foundation
import VisageCore
#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP connection to the service on loopback, for what an HTTP client library
/// will not do: send half a request, trickle a body, write a whole body before reading, or hold
/// a connection open without a word. Every call has a timeout, so a test fails instead of hanging.
///
/// The socket calls block, so each is offloaded to the connection's own serial dispatch queue,
/// never run on one of Swift's cooperative threads: those are as many as the cores (two here),
/// and the server under test answers on them. Two tests blocked in `recv` on them left the
/// server no thread to answer with until the reads timed out, so its answers came too late or
/// never (CI failed so). A serial queue of one's own gets a thread even when every core is busy,
/// which dispatch's global queues do not promise.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32
    private let queue = DispatchQueue(label: "raw-connection")

    /// `timeout` bounds each send and read; every read stops as soon as what it waits for has come.
    init(port: Int, timeout: TimeInterval = 60) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError("socket() failed: errno \(errno)") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw RawConnectionError("connect() failed: errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Sends every byte; throws when the peer closed or the send timed out.
    func send(_ bytes: [UInt8]) async throws {
        try await offload(on: queue) { try self.sendBlocking(bytes) }
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Reads until the peer closes the connection, the read times out, or `until` matches what
    /// was read so far; returns what arrived.
    func receive(until done: @escaping @Sendable (String) -> Bool = { _ in false }) async throws -> String {
        try await offload(on: queue) { self.receiveBlocking(until: done) }
    }

    /// One whole response (its body as long as its Content-Length says), nil when none came.
    func readResponse() async throws -> RawResponse? {
        RawResponse(try await receive { text in
            guard let response = RawResponse(text), let length = response.headers["content-length"].flatMap(Int.init) else { return false }
            return response.body.utf8.count >= length
        })
    }

    /// Whether the server closed the connection: a read returns end-of-file (or a reset).
    func isClosedByPeer() async throws -> Bool {
        try await offload(on: queue) {
            var byte: UInt8 = 0
            let count = recv(self.descriptor, &byte, 1, 0)
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }
    }

    private func sendBlocking(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawConnectionError("send() failed after \(offset) of \(bytes.count) bytes: errno \(errno)") }
            offset += sent
        }
    }

    private func receiveBlocking(until done: (String) -> Bool) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[..<count]
            if done(String(decoding: received, as: UTF8.self)) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// An HTTP/1.1 request head.
    static func head(_ method: String, _ path: String, headers: [(String, String)]) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A full HTTP response read off a raw connection: the status code, headers (lower-cased names) and body.
struct RawResponse {
    var status: Int
    var headers: [String: String]
    var body: String

    init?(_ text: String) {
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
              let code = Int(statusLine.dropFirst(9).prefix(3)) else { return nil }
        status = code
        headers = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        body = String(text[split.upperBound...])
    }

    /// The `error.code` of a JSON error body.
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["code"] as? String
    }
}
