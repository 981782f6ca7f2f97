import HTTPTypes
import Hummingbird
import Logging

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
        case "/", "/openapi.json", "/metrics", "/v1/health": return "GET"
        case "/v1/analyze", "/v1/verify", "/v1/identify", "/v1/describe", "/v1/ask": return "POST"
        case "/v1/people": return "GET, POST"
        default:
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            guard components.count >= 4, components[0].isEmpty, components[1] == "v1", components[2] == "people" else { return nil }
            if components.count == 4 { return "GET, DELETE" }
            if components.count == 5, components[4] == "faces" { return "POST" }
            return nil
        }
    }
}

/// Checks `Authorization: Bearer KEY` against the role each path needs (``AuthMiddleware/requiredRole(for:)``).
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// nil: every request is allowed (`--insecure-no-auth`).
    let keys: APIKeys?

    /// `admin` for people, `read` for analyze/verify/identify/describe/ask, nil (open) for the page,
    /// the OpenAPI document, health and metrics.
    static func requiredRole(for path: String) -> APIRole? {
        if path == "/v1/people" || path.hasPrefix("/v1/people/") { return .admin }
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
        guard let role = keys.role(of: parts[1].trimmingSpaces()) else {
            throw ServiceError.unauthorized("The API key is not valid; ask the operator for a key.")
        }
        guard role >= required else { throw ServiceError.forbidden }
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
