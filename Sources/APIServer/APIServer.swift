import Catalog
import Foundation
import Hummingbird
import Logging
import Prometheus

/// The REST API and dashboard: routes over a `Catalog`, bearer-token checks, triggers through a
/// `PassTrigger`. The executable hands it the implementations and runs `application()` as a service.
public struct APIServer: Sendable {
    let configuration: APIConfiguration
    let catalog: CatalogPool
    let authenticator: (any BearerAuthenticator)?
    let trigger: (any PassTrigger)?
    let statusSource: (any StatusSource)?
    let logger: Logger
    let metrics: APIMetrics
    let idempotency: IdempotencyStore
    let rateLimiter: RateLimiter

    /// Creates the server.
    /// - Parameters:
    ///   - configuration: address and limits.
    ///   - catalog: where runs, files and logs are read.
    ///   - authenticator: checks bearer tokens; nil turns auth off (refused unless the address is loopback).
    ///   - trigger: starts passes for `POST /compress`; nil answers 501.
    ///   - statusSource: next runs and live progress, when this process schedules passes.
    ///   - logger: request failures and startup lines.
    /// - Throws: `APIError` when auth is off on a non-loopback address.
    public init(
        configuration: APIConfiguration, catalog: CatalogPool, authenticator: (any BearerAuthenticator)?, trigger: (any PassTrigger)?,
        statusSource: (any StatusSource)?, logger: Logger
    ) throws {
        if authenticator == nil && !configuration.address.isLoopback {
            throw APIConfigurationError(
                "authentication is off but the API would listen on \(configuration.address); give --oidc-issuer and --oidc-audience, or listen on 127.0.0.1 / ::1"
            )
        }
        self.configuration = configuration
        self.catalog = catalog
        self.authenticator = authenticator
        self.trigger = trigger
        self.statusSource = statusSource
        self.logger = logger
        self.metrics = APIMetrics(registry: PrometheusCollectorRegistry())
        self.idempotency = IdempotencyStore(lifetimeSeconds: configuration.idempotencyLifetimeSeconds)
        self.rateLimiter = RateLimiter(burst: configuration.triggerBurst, perMinute: configuration.triggersPerMinute)
    }

    /// All routes: public ones first (health, documents), then those behind the token check.
    public func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        addHealthRoutes(to: router)
        addDocumentRoutes(to: router)
        router.add(middleware: AuthMiddleware(authenticator: authenticator))
        addStatusRoutes(to: router)
        addRunRoutes(to: router)
        addFileRoutes(to: router)
        addLogRoutes(to: router)
        addCompressRoutes(to: router)
        addMetricsRoutes(to: router)
        return router
    }

    /// The Hummingbird application listening on the configured address.
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.address.host, port: configuration.address.port), serverName: "pybak"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Logs how the API is protected; says loudly when it is not.
    public func logStartup() {
        if let authenticator {
            logger.notice("API listening", metadata: [
                "listen": "\(configuration.address)", "auth": "oauth2-bearer", "oidc.issuer": "\(authenticator.issuer)",
            ])
        } else {
            logger.warning("API authentication is OFF: anyone who can reach this loopback address can read and trigger", metadata: [
                "listen": "\(configuration.address)", "auth": "off",
            ])
        }
    }
}

extension APIServer {
    /// Reaches the OIDC issuer once at start and says clearly when it cannot: the server keeps running (health
    /// probes pass, so a Pod does not crash-loop over it), but every request that needs a token answers 503
    /// until the issuer answers.
    public func probeIssuer() async {
        guard let authenticator else { return }
        let issuer = authenticator.issuer
        let host = URL(string: issuer)?.host?.lowercased() ?? ""
        let placeholder = ["example.com", "example.org", "example.net"].contains { host == $0 || host.hasSuffix("." + $0) } || host.hasSuffix(".example")
        guard let problem = await authenticator.probe() else {
            logger.notice("OIDC issuer reached", metadata: ["oidc.issuer": "\(issuer)"])
            return
        }
        if placeholder {
            logger.error("the OIDC issuer is a placeholder: set PYBAK_OIDC_ISSUER and PYBAK_OIDC_AUDIENCE (--oidc-issuer, --oidc-audience) to your identity provider; until then requests that need a token answer 503", metadata: [
                "oidc.issuer": "\(issuer)", "reason": "\(problem)",
            ])
        } else {
            logger.error("the OIDC issuer cannot be reached; requests that need a token answer 503 until it can (keys are fetched again on use)", metadata: [
                "oidc.issuer": "\(issuer)", "reason": "\(problem)",
            ])
        }
    }
}

/// A configuration the API server refuses to start with.
public struct APIConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
