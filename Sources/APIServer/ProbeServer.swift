import Hummingbird
import Logging

/// A small unauthenticated HTTP server for a long-running role's probes and metrics (the controller's
/// `--listen`): `/healthz` (the process answers), `/readyz` (the role says it is ready) and `/metrics`
/// (Prometheus text the role renders). It carries no data beyond counters, so it needs no token.
public struct ProbeServer: Sendable {
    /// Whether the role is ready, and why not when it is not.
    public typealias Readiness = @Sendable () async -> (ready: Bool, detail: String?)
    /// The Prometheus text exposition of the role's metrics.
    public typealias MetricsText = @Sendable () async -> String

    let address: ListenAddress
    let readiness: Readiness
    let metrics: MetricsText
    let logger: Logger

    /// Creates the server.
    /// - Parameters:
    ///   - address: where to listen.
    ///   - readiness: answers `/readyz`.
    ///   - metrics: answers `/metrics`.
    ///   - logger: startup and request failures.
    public init(address: ListenAddress, readiness: @escaping Readiness, metrics: @escaping MetricsText, logger: Logger) {
        self.address = address
        self.readiness = readiness
        self.metrics = metrics
        self.logger = logger
    }

    /// The routes, for in-process tests.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in
            try encodeJSON(HealthBody(status: "ok", detail: nil), status: .ok)
        }
        router.get("/readyz") { _, _ in
            let (ready, detail) = await readiness()
            return try encodeJSON(HealthBody(status: ready ? "ready" : "unavailable", detail: detail), status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            let text = await metrics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }

    /// The application to run as a service (it stops on graceful shutdown).
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "pybak"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
