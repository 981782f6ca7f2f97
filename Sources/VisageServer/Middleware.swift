import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VisageGallery

/// Turns every error into `{"error": {"code", "message"}}` with the right status; logs the
/// details of unexpected ones and answers them with a generic 500 that holds no internals.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let bodyLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var (serviceError, detail) = ServiceError.from(error, bodyLimit: bodyLimit)
            if serviceError.status == .notFound, serviceError.code == "not_found", let allowed = Self.allowedMethods(for: request.uri.path) {
                serviceError = ServiceError(.methodNotAllowed, code: "method_not_allowed",
                                            message: "\(request.uri.path) takes \(allowed), not \(request.method.rawValue.prefix(20)).",
                                            headers: [.allow: allowed])
            }
            if let detail {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(detail)")
            }
            return serviceError.jsonResponse
        }
    }
}

extension ErrorMiddleware {
    /// The methods a known path takes, for 405 answers; nil for an unknown path.
    static func allowedMethods(for path: String) -> String? {
        switch path {
        case "/", "/openapi.json", "/metrics", "/v1/health", "/v1/audit": return "GET"
        case "/v1/analyze", "/v1/verify", "/v1/identify", "/v1/describe", "/v1/ask": return "POST"
        case "/v1/people": return "GET, POST"
        default:
            return PersonPath(path).map { $0.isFaces ? "POST" : "GET, DELETE" }
        }
    }
}

/// `/v1/people/{id}` or `/v1/people/{id}/faces`, read once for the 405 table and the audit.
struct PersonPath {
    /// The id segment as sent (any text: a 405 does not depend on it).
    var id: Substring
    var isFaces: Bool

    init?(_ path: String) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count == 4 || (components.count == 5 && components[4] == "faces"),
              components[0].isEmpty, components[1] == "v1", components[2] == "people" else { return nil }
        id = components[3]
        isFaces = components.count == 5
    }

    /// The id as the handlers take it: a positive whole number.
    var personID: Int64? { Int64(id).flatMap { $0 > 0 ? $0 : nil } }
}

/// Checks `Authorization: Bearer KEY` against the role each path needs (``AuthMiddleware/requiredRole(for:)``),
/// and tells the audit who asked.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = VisageRequestContext

    /// nil: every request is allowed (`--insecure-no-auth`).
    let keys: APIKeys?

    /// `admin` for people and the audit trail, `read` for analyze/verify/identify/describe/ask, nil (open) for the page,
    /// the OpenAPI document, health and metrics.
    static func requiredRole(for path: String) -> APIRole? {
        if path == "/v1/people" || path.hasPrefix("/v1/people/") || path == "/v1/audit" { return .admin }
        if ["/v1/analyze", "/v1/verify", "/v1/identify", "/v1/describe", "/v1/ask"].contains(path) { return .read }
        return nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let keys, let required = Self.requiredRole(for: request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw ServiceError.unauthorized("This endpoint needs an API key: send `Authorization: Bearer KEY`.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ServiceError.unauthorized("Send the API key as `Authorization: Bearer KEY`.")
        }
        guard let caller = keys.caller(of: parts[1].trimmingSpaces()) else {
            throw ServiceError.unauthorized("The API key is not valid; ask the operator for a key.")
        }
        context.audit.caller = caller
        guard caller.role >= required else { throw ServiceError.forbidden }
        return try await next(request, context)
    }
}

/// Counts requests by route and status and times them, for `GET /metrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.record(route: ServiceMetrics.route(of: request.uri.path), method: request.method.rawValue,
                       status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}

/// Writes one audit entry for each request that touches the gallery's people (identify, verify,
/// describe and ask, which look faces up, enrol, add faces, delete, list and view people),
/// whether it succeeded or was refused: the API key's name and role, the outcome (`ok` or the
/// error code), the people concerned and the request id the response carries as `X-Request-Id`.
/// Never the key, an image or an embedding.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = VisageRequestContext
    let gallery: Gallery
    let bodyLimit: Int

    /// The audited operation of a request, nil for the others.
    static func operation(method: HTTPRequest.Method, path: String) -> AuditEntry.Operation? {
        switch (method, path) {
        case (.post, "/v1/identify"), (.post, "/v1/describe"), (.post, "/v1/ask"): return .identify
        case (.post, "/v1/verify"): return .verify
        case (.post, "/v1/people"): return .enroll
        case (.get, "/v1/people"): return .listPeople
        default:
            guard let person = PersonPath(path), person.personID != nil else { return nil }
            switch (method, person.isFaces) {
            case (.get, false): return .viewPerson
            case (.delete, false): return .delete
            case (.post, true): return .addFaces
            default: return nil
            }
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let operation = Self.operation(method: request.method, path: request.uri.path) else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            await record(operation, request, context, outcome: AuditEntry.success)
            return response
        } catch {
            await record(operation, request, context, outcome: ServiceError.from(error, bodyLimit: bodyLimit).error.code)
            throw error
        }
    }

    private func record(_ operation: AuditEntry.Operation, _ request: Request, _ context: Context, outcome: String) async {
        var people = context.audit.personIDs
        if people.isEmpty, let id = PersonPath(request.uri.path)?.personID { people = [id] }
        let caller = context.audit.caller
        let entry = AuditEntry(actor: caller?.name ?? "unauthenticated", role: caller?.role.rawValue, operation: operation,
                               personIDs: people, outcome: outcome, requestID: context.id)
        do {
            try await gallery.recordAudit(entry)
        } catch {
            // The operation is done; its answer stands, and the operator must learn that its trace is missing.
            context.logger.error("audit entry not written for \(operation.rawValue) (request \(context.id)): \(String(reflecting: error))")
        }
    }
}

/// Answers a request that came on a connection over the cap (``ConnectionRegistry``) with 503.
struct ConnectionLimitMiddleware: RouterMiddleware {
    typealias Context = VisageRequestContext
    let registry: ConnectionRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if registry.isRefused(context.channel) { throw ServiceError.tooManyConnections(retryAfter: 2) }
        return try await next(request, context)
    }
}

/// Headers every response carries: the request id (the audit trail's key to a request), and
/// what keeps a browser from sniffing types, framing the service or running foreign code. The
/// web page gets a Content-Security-Policy that allows exactly its own inline script and style.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.id
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        }
        return response
    }
}

extension WebPage {
    /// The page's policy: its one inline script and one style block by hash, style attributes
    /// (which the page's script writes), images from the API's data URLs and the picked file,
    /// requests to this server only, and no framing.
    static let contentSecurityPolicy: String = {
        func hashes(of tag: String) -> String {
            var sources: [String] = []
            var rest = html[...]
            while let open = rest.range(of: "<\(tag)>"), let close = rest.range(of: "</\(tag)>", range: open.upperBound..<rest.endIndex) {
                let digest = SHA256.hash(data: Data(rest[open.upperBound..<close.lowerBound].utf8))
                sources.append("'sha256-\(Data(digest).base64EncodedString())'")
                rest = rest[close.upperBound...]
            }
            return sources.joined(separator: " ")
        }
        return "default-src 'none'; script-src \(hashes(of: "script")); style-src-elem \(hashes(of: "style")); style-src-attr 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    }()
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
