import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The service's open connections, capped so that idle or half-sent requests cannot use up the
/// process's file descriptors and starve everyone else (health checks included).
///
/// At the cap, a new connection takes the place of the connection that has been idle longest
/// (no request in flight: a kept-alive connection, or one that has not finished sending its
/// request head), which is closed as its idle timeout would close it. When every connection has
/// a request in flight, the new one is let in only to be answered `503 busy` with
/// `Connection: close` (``isRefused(_:)``); one that sends nothing is closed after
/// ``refusedGrace``.
final class ConnectionRegistry: @unchecked Sendable {
    /// Connections held open at most.
    let limit: Int
    /// How long a refused connection may take to send its request head before it is closed.
    let refusedGrace: TimeAmount

    private struct Entry {
        var channel: any Channel
        var busy: Bool
        /// When the connection last became idle (opened, or answered its last request).
        var idleSince: NIODeadline
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var refused: Set<ObjectIdentifier> = []
    private var evictions = 0

    init(limit: Int, refusedGrace: TimeAmount = .seconds(2)) {
        self.limit = max(1, limit)
        self.refusedGrace = refusedGrace
    }

    /// Open connections now (admitted ones), and how many were closed to make room, for /metrics.
    var counts: (open: Int, evicted: Int) { lock.withLock { (entries.count, evictions) } }

    /// Admits `channel`, closing the longest-idle connection when at the cap; false when it is refused.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let (admitted, victim): (Bool, (any Channel)?) = lock.withLock {
            var victim: (any Channel)?
            if entries.count >= limit {
                // One pass, no copy: this runs for every connection accepted at the cap.
                var oldest: (key: ObjectIdentifier, value: Entry)?
                for entry in entries where !entry.value.busy && entry.value.idleSince < (oldest?.value.idleSince ?? .distantFuture) {
                    oldest = entry
                }
                guard let oldest else {
                    refused.insert(key)
                    return (false, nil)
                }
                victim = oldest.value.channel
                entries[oldest.key] = nil
                evictions += 1
            }
            entries[key] = Entry(channel: channel, busy: false, idleSince: .now())
            return (true, victim)
        }
        victim?.close(promise: nil)
        return admitted
    }

    /// Whether `channel` came in over the cap and gets only a 503.
    func isRefused(_ channel: any Channel) -> Bool {
        lock.withLock { refused.contains(ObjectIdentifier(channel)) }
    }

    func requestStarted(_ channel: any Channel) {
        lock.withLock { entries[ObjectIdentifier(channel)]?.busy = true }
    }

    func requestAnswered(_ channel: any Channel) {
        lock.withLock {
            entries[ObjectIdentifier(channel)]?.busy = false
            entries[ObjectIdentifier(channel)]?.idleSince = .now()
        }
    }

    func remove(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        _ = lock.withLock { (entries.removeValue(forKey: key), refused.remove(key)) }
    }
}

/// One connection's guard, in each connection's pipeline after the HTTP codec:
/// - admits the connection through the ``ConnectionRegistry`` and tells it when a request is in flight;
/// - after a response that says `Connection: close` (a refusal before the body was read), shuts
///   the output, keeps reading and dropping what the client still sends for up to `linger` so
///   that a client that writes its whole body before reading (Python's urllib) still reads the
///   answer instead of a broken pipe, then closes;
/// - gives the bare `400` that Hummingbird writes for a request it cannot parse a JSON body, as
///   every other error of the service has;
/// - answers `Expect: 100-continue` with `100 Continue` when the body is about to be read
///   (``SendContinue``, from ``UploadReader``), which Hummingbird does not do: such a client
///   (curl, for any body over 1 MiB) otherwise waits for it, a second in curl's case.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private let linger: TimeAmount
    private var admitted = false
    private var closesAfterResponse = false
    /// After a closing refusal: what the client still sends is read and dropped here, because the
    /// server stops reading a request that asked for `Connection: close` once it is answered.
    private var draining = false
    private var addsParseErrorBody = false
    /// The request in flight asked for `Expect: 100-continue` and has been neither told to go on nor answered.
    private var awaitsContinue = false

    init(registry: ConnectionRegistry, linger: TimeAmount) {
        self.registry = registry
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !admitted { admit(context) }
        context.fireChannelActive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        admitted = true
        if !registry.admit(context.channel) {
            let channel = context.channel
            context.eventLoop.scheduleTask(in: registry.refusedGrace) { [registry] in
                // Still silent (no request head yet): nothing to answer.
                if registry.isRefused(channel) { channel.close(promise: nil) }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if draining {
            context.read()
            return
        }
        if case let .head(request) = unwrapInboundIn(data) {
            registry.requestStarted(context.channel)
            awaitsContinue = request.headerFields[.expect]?.lowercased() == "100-continue"
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is SendContinue else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        guard awaitsContinue else {
            promise?.succeed(())
            return
        }
        awaitsContinue = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: promise)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case let .head(response):
            awaitsContinue = false  // answered without reading the body: no 100 any more
            var response = response
            if response.status == .badRequest, response.headerFields[.contentLength] == "0", response.headerFields[.contentType] == nil {
                response.headerFields[.contentType] = "application/json; charset=utf-8"
                response.headerFields[.contentLength] = String(Self.parseErrorBody.readableBytes)
                addsParseErrorBody = true
            }
            if response.headerFields[.connection]?.lowercased() == "close" { closesAfterResponse = true }
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            if addsParseErrorBody {
                addsParseErrorBody = false
                context.write(wrapOutboundOut(.body(Self.parseErrorBody)), promise: nil)
            }
            registry.requestAnswered(context.channel)
            guard closesAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            closesAfterResponse = false
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            draining = true
            let channel = context.channel, linger = linger
            written.futureResult.whenComplete { _ in
                // FIN after the answer; what the client still sends is dropped until it closes
                // or the linger ends.
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
            }
            context.read()
        }
    }

    static let parseErrorBody = ByteBuffer(string: #"{"error":{"code":"bad_request","message":"The request is not valid HTTP/1.1 and could not be read; check it against GET /openapi.json."}}"#)
}

/// Tells the connection's ``ConnectionGuard`` that the request's body is about to be read, so that
/// a client waiting on `Expect: 100-continue` may send it (an outbound user event; a no-op for
/// a request that did not ask).
struct SendContinue: Sendable {}
