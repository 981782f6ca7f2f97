import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VisageGallery

/// Turns every error into `{"error": {"code", "message"}}` with the right status; logs the
/// details of unexpected ones and answers them with a generic 500 that holds no internals.
/// A path of the API asked with a method it does not take gets 405 with the methods openapi.yaml lists.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let bodyLimit: Int
    var spec = OpenAPISpec.bundled

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var (serviceError, detail) = ServiceError.from(error, bodyLimit: bodyLimit, spec: spec)
            if serviceError.status == .notFound, serviceError.code == "not_found", let allowed = spec.allowedMethods(for: request.uri.path) {
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

/// Checks `Authorization: Bearer KEY` against the role of the router group it guards (the
/// operation's `x-visage-role` in openapi.yaml), and tells the audit who asked.
struct RoleMiddleware: RouterMiddleware {
    typealias Context = VisageRequestContext

    let role: APIRole
    /// nil: every request is allowed (`--insecure-no-auth`).
    let keys: APIKeys?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let keys else { return try await next(request, context) }
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
        guard caller.role >= role else { throw ServiceError.forbidden }
        return try await next(request, context)
    }
}

/// Counts requests by route and status and times them, for `GET /metrics`. The route is the
/// template the router matched (Hummingbird's `endpointPath`), so that ids do not each make a
/// time series; a request that matched nothing counts as `other`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "other"
        metrics.record(route: route, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}

/// A HEAD request is answered as its GET would be, without the body (RFC 9110, 9.3.2): the router
/// runs each GET route for a HEAD as well (`RouterOptions.autoGenerateHeadEndpoints`, which drops
/// that body itself), and this drops the body of every other answer to a HEAD (a 404, a 405),
/// keeping its headers, `Content-Length` included. Inside ``MetricsMiddleware``, which counts
/// HEAD requests under their own method.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        return request.method == .head ? response.createHeadResponse() : response
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

    var spec = OpenAPISpec.bundled

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The operation the router matched, by its template: the request's own path may spell it
        // otherwise (`/v1/people/7/`, `//v1/identify`), and each spelling reaches the same handler.
        // A HEAD runs its GET route (``HeadMiddleware``) and is recorded as that GET: it looked
        // the same people up, and its status alone says whether a person exists.
        let method = request.method == .head ? .get : request.method
        guard let template = context.endpointPath,
              let operation = spec.operation(method: method, template: template)?.audit else { return try await next(request, context) }
        do {
            let response = try await RequestAudit.$current.withValue(context.audit) { try await next(request, context) }
            await record(operation, request, context, outcome: AuditEntry.success)
            return response
        } catch {
            await record(operation, request, context, outcome: ServiceError.from(error, bodyLimit: bodyLimit, spec: spec).error.code)
            throw error
        }
    }

    private func record(_ operation: AuditEntry.Operation, _ request: Request, _ context: Context, outcome: String) async {
        var people = context.audit.personIDs
        if people.isEmpty, let id = context.parameters.get("id", as: Int64.self), id > 0 { people = [id] }
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

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
