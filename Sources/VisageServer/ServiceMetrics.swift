import Prometheus

/// The service's Prometheus metrics: requests by route, method and status, their latency,
/// and the analysis slots in use and requests waiting. Never names, ids or keys.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let running: Gauge
    private let waiting: Gauge

    static let routes: Set<String> = ["/", "/openapi.json", "/metrics", "/v1/health", "/v1/analyze", "/v1/verify", "/v1/identify", "/v1/describe", "/v1/ask", "/v1/people"]
    static let buckets: [Duration] = [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                      .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]

    static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "visage", metricName: "http_requests", unitName: "total",
                                               helpText: "HTTP requests answered, by route, method and status.") }
    static var latency: MetricNameDescriptor { MetricNameDescriptor(namespace: "visage", metricName: "http_request_duration", unitName: "seconds",
                                              helpText: "Time from request to response head, by route and status class (2xx, 4xx, 503, 5xx).") }

    init() {
        running = registry.makeGauge(descriptor: .init(namespace: "visage", metricName: "analyses", unitName: "running",
                                                       helpText: "Analyses (decode and inference) running now."))
        waiting = registry.makeGauge(descriptor: .init(namespace: "visage", metricName: "requests", unitName: "waiting",
                                                       helpText: "Requests waiting for an analysis slot."))
    }

    /// The route template of `path`, so that ids do not each make a time series.
    static func route(of path: String) -> String {
        if routes.contains(path) { return path }
        if path.hasPrefix("/v1/people/") { return path.hasSuffix("/faces") ? "/v1/people/{id}/faces" : "/v1/people/{id}" }
        return "other"
    }

    func record(route: String, method: String, status: Int, duration: Duration) {
        let known = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"].contains(method) ? method : "other"
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("method", known), ("status", String(status))]).increment()
        // 503s answered at once would hide the latency of the analyses, hence the status class.
        let outcome = status == 503 ? "503" : "\(status / 100)xx"
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route), ("status", outcome)], buckets: Self.buckets).record(duration)
    }

    func render(load: (running: Int, waiting: Int)) -> String {
        running.set(to: Double(load.running))
        waiting.set(to: Double(load.waiting))
        return registry.emitToString()
    }
}
