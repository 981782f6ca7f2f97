import HTTPTypes
import Prometheus
import VisageModels

/// The service's Prometheus metrics: requests by route, method and status, their latency,
/// and the analysis slots in use and requests waiting. Never names, ids or keys.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let running: Gauge
    private let waiting: Gauge
    private let connections: Gauge
    private let evictions: Gauge
    private let uploadBytes: Gauge

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
        connections = registry.makeGauge(descriptor: .init(namespace: "visage", metricName: "connections", unitName: "open",
                                                           helpText: "Client connections held open now."))
        evictions = registry.makeGauge(descriptor: .init(namespace: "visage", metricName: "connections_evicted", unitName: "total",
                                                         helpText: "Idle connections closed to make room for new ones at the connection cap."))
        uploadBytes = registry.makeGauge(descriptor: .init(namespace: "visage", metricName: "upload_bytes", unitName: "in_flight",
                                                           helpText: "Request body bytes reserved by uploads being read or answered."))
    }

    func record(route: String, method: String, status: Int, duration: Duration) {
        let known = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"].contains(method) ? method : "other"
        // A client that went away is not a server error: its own label, so that alerts on 5xx stay quiet.
        let clientClosed = status == ServiceError.clientClosed.status.code
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("method", known), ("status", clientClosed ? "client_closed" : String(status))]).increment()
        // 503s answered at once would hide the latency of the analyses, hence the status class.
        let outcome = clientClosed ? "client_closed" : status == 503 ? "503" : "\(status / 100)xx"
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route), ("status", outcome)], buckets: Self.buckets).record(duration)
    }

    static var model: MetricNameDescriptor { MetricNameDescriptor(namespace: "visage", metricName: "model", unitName: "info",
                                            helpText: "1 for each model file this node loaded, by file, state against the set-up's sha256 (as-installed, differs, present, missing, unreadable) and allowed use.") }

    /// The model files as `GET /v1/models` lists them: a fleet alerts on `visage_model_info{state="differs"}`
    /// without asking every node. Setting the same gauges again changes nothing.
    func record(_ models: ModelInventory) {
        for entry in models.entries {
            registry.makeGauge(descriptor: Self.model, labels: [("file", entry.card.fileName), ("state", entry.state.name), ("use", entry.card.use.rawValue)])
                .set(to: 1)
        }
    }

    func render(load: (running: Int, waiting: Int), connections open: (open: Int, evicted: Int), uploadBytesInFlight: Int) -> String {
        running.set(to: Double(load.running))
        waiting.set(to: Double(load.waiting))
        connections.set(to: Double(open.open))
        evictions.set(to: Double(open.evicted))
        uploadBytes.set(to: Double(uploadBytesInFlight))
        return registry.emitToString()
    }
}
