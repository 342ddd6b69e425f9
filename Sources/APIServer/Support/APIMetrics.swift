import Hummingbird
import Prometheus

/// The API's Prometheus metrics: requests by route and status, latency, triggers.
struct APIMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let triggers: Counter

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        triggers = registry.makeCounter(name: "pybak_api_triggers_total", help: "Passes started through POST /compress.")
    }

    func request(route: String, method: String, status: Int, seconds: Double) {
        let labels = [("route", route), ("method", method), ("status", String(status))]
        registry.makeCounter(name: "pybak_api_requests_total", labels: labels, help: "HTTP requests answered.").increment()
        registry.makeValueHistogram(
            name: "pybak_api_request_duration_seconds", labels: [("route", route), ("method", method)],
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], help: "Time to answer (headers), seconds."
        ).record(seconds)
    }

    func triggered(count: Int) {
        triggers.increment(by: Int64(count))
    }

    /// The text exposition format.
    func text() -> String { registry.emitToString() }
}

/// Counts every request by its route pattern (not the raw path, so ids do not explode the labels).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: Int(response.status.code), seconds: seconds)
        return response
    }
}

extension APIServer {
    /// `/metrics` in Prometheus' text format (needs `pybak.read` like every other read).
    func addMetricsRoutes(to router: Router<APIRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text()))
            )
        }
    }
}
