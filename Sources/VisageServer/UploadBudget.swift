import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Bytes of request bodies held in memory, across all uploads and per API key, so that many slow
/// or large uploads cannot fill the server's memory before the analysis queue ever sees them.
///
/// A request reserves its `Content-Length` before a byte of its body is read (a chunked body
/// reserves as it arrives); a request that does not fit is refused at once: 429 when its key
/// already holds its share, 503 when the server as a whole is full. The reservation is returned
/// when the request is answered.
final class UploadBudget: @unchecked Sendable {
    /// Bytes all uploads may hold at once.
    let totalLimit: Int
    /// Bytes the uploads of one API key may hold at once.
    let perCallerLimit: Int

    private let lock = NSLock()
    private var used = 0
    private var usedByCaller: [String: Int] = [:]

    init(totalLimit: Int, perCallerLimit: Int) {
        self.totalLimit = max(1, totalLimit)
        self.perCallerLimit = max(1, perCallerLimit)
    }

    /// Bytes reserved now, for /metrics.
    var inUse: Int { lock.withLock { used } }

    enum Refusal: Error { case serverFull, callerFull }

    /// Reserves `bytes` more for `caller` (nil: no authentication, only the total applies).
    func reserve(_ bytes: Int, caller: String?) throws(Refusal) {
        // The caller's own share first: a key over it is told so (429), whatever the others hold.
        let refusal: Refusal? = lock.withLock {
            let held = caller.map { usedByCaller[$0, default: 0] } ?? 0
            if caller != nil, held + bytes > perCallerLimit { return .callerFull }
            if used + bytes > totalLimit { return .serverFull }
            if let caller { usedByCaller[caller] = held + bytes }
            used += bytes
            return nil
        }
        if let refusal { throw refusal }
    }

    func release(_ bytes: Int, caller: String?) {
        guard bytes > 0 else { return }
        lock.withLock {
            used -= bytes
            if let caller {
                let left = usedByCaller[caller, default: 0] - bytes
                usedByCaller[caller] = left > 0 ? left : nil
            }
        }
    }
}

/// One request's share of the ``UploadBudget``: it grows as the body is read, and is returned
/// once by ``release()`` when the request is answered.
final class UploadLease: @unchecked Sendable {
    private let budget: UploadBudget
    private let caller: String?
    private let lock = NSLock()
    private var reserved = 0

    init(budget: UploadBudget, caller: String?) {
        self.budget = budget
        self.caller = caller
    }

    /// Makes the reservation at least `bytes`; throws 429 or 503 when the budget cannot give it.
    func grow(to bytes: Int) throws {
        let more = lock.withLock { max(0, bytes - reserved) }
        guard more > 0 else { return }
        do {
            try budget.reserve(more, caller: caller)
        } catch .callerFull {
            throw ServiceError.tooManyUploads(retryAfter: 2)
        } catch .serverFull {
            throw ServiceError.uploadsFull(retryAfter: 2)
        }
        lock.withLock { reserved += more }
    }

    func release() {
        let bytes = lock.withLock { defer { reserved = 0 }; return reserved }
        budget.release(bytes, caller: caller)
    }
}

/// Reads a request body into memory under three limits: its size (413), its share of the
/// ``UploadBudget`` (429/503), and a deadline that asks for a minimum transfer rate (408), so
/// that a client trickling a body cannot hold memory and a connection for as long as it likes.
struct UploadReader: Sendable {
    /// Largest body, in bytes.
    var limit: Int
    /// Time every body gets, on top of what its size needs at the minimum rate.
    var grace: Duration
    /// Slowest accepted average rate, in bytes per second.
    var minimumBytesPerSecond: Int

    /// How long a body of `bytes` may take to arrive.
    func deadline(forBodyOf bytes: Int) -> Duration {
        grace + .milliseconds(Int64(bytes) * 1000 / Int64(max(1, minimumBytesPerSecond)))
    }

    /// The body's declared `Content-Length`, nil when it has none (chunked); 413 when it is over
    /// the limit, which the caller asks before anything else about the request.
    func declaredLength(of request: Request) throws -> Int? {
        guard let length = request.headers[.contentLength].flatMap({ Int($0) }) else { return nil }
        guard length <= limit else { throw ServiceError.payloadTooLarge(limit: limit) }
        return length
    }

    /// Reads the body whose ``declaredLength(of:)`` is `expected`.
    func read(_ request: Request, expected: Int?, context: VisageRequestContext, lease: UploadLease) async throws -> [UInt8] {
        if let expected { try lease.grow(to: expected) }
        // Admitted: a client that waits for `100 Continue` before sending its body gets it now.
        context.channel.triggerUserOutboundEvent(SendContinue(), promise: nil)
        // When the deadline passes, the connection's input is shut: the body sequence ends early,
        // and the flag tells that apart from a client that went away.
        let timedOut = Flag()
        let channel = context.channel
        let allowed = deadline(forBodyOf: expected ?? limit).components
        let timer = channel.eventLoop.scheduleTask(in: .seconds(allowed.seconds) + .nanoseconds(allowed.attoseconds / 1_000_000_000)) {
            timedOut.set()
            channel.close(mode: .input, promise: nil)
        }
        defer { timer.cancel() }

        var body = ByteBuffer()
        body.reserveCapacity(expected ?? 0)
        do {
            for try await chunk in request.body {
                let size = body.readableBytes + chunk.readableBytes
                guard size <= limit else { throw ServiceError.payloadTooLarge(limit: limit) }
                if expected == nil { try lease.grow(to: size) }
                body.writeImmutableBuffer(chunk)
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            throw timedOut.isSet ? ServiceError.bodyTimeout(limit: allowed.seconds) : ServiceError.clientClosed
        }
        if timedOut.isSet { throw ServiceError.bodyTimeout(limit: allowed.seconds) }
        if let expected, body.readableBytes != expected { throw ServiceError.clientClosed }
        return Array(body.readableBytesView)
    }
}

/// A flag set once from any thread.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
