import Foundation
public import Hummingbird
public import NIOCore

/// The context of one request: Hummingbird's own, the connection it came on (so that a refusal
/// can end it), and what the audit trail will say of it.
public struct VisageRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection; a body-read deadline ends its input (``UploadReader``).
    public let channel: any Channel
    /// Filled in as the request goes through the middleware and its handler, and written to the
    /// gallery's audit trail by ``AuditMiddleware`` once it is answered. A reference, so that
    /// what inner middleware and handlers learn reaches the outer middleware.
    let audit = RequestAudit()

    /// The API key's name and role; nil for open endpoints and with `--insecure-no-auth`.
    public var caller: APICaller? { audit.caller }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Who made a request and which people it concerned, as far as it got.
final class RequestAudit: @unchecked Sendable {
    /// The audit of the request being handled: the generated handlers get no request context,
    /// so ``AuditMiddleware`` hands it to them through the task.
    @TaskLocal static var current: RequestAudit?

    private let lock = NSLock()
    private var _caller: APICaller?
    private var _personIDs: [Int64] = []

    var caller: APICaller? {
        get { lock.withLock { _caller } }
        set { lock.withLock { _caller = newValue } }
    }

    /// The people enrolled, changed, deleted, listed or matched.
    var personIDs: [Int64] {
        get { lock.withLock { _personIDs } }
        set { lock.withLock { _personIDs = newValue } }
    }
}
