import APIServer
import ArgumentParser
import Catalog
import Foundation
import Logging
import PyBakCore

/// The flags of the REST API, shared by `serve` and `daemon`.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("listen"), help: "Serve the REST API and dashboard on HOST:PORT (e.g. 127.0.0.1:8080). Env: PYBAK_LISTEN.")
    var listen: String?

    @Option(name: .customLong("oidc-issuer"), help: "OAuth 2 / OIDC issuer URL whose JWTs the API accepts (https unless loopback). Env: PYBAK_OIDC_ISSUER.")
    var oidcIssuer: String?

    @Option(name: .customLong("oidc-audience"), help: "The aud the API's tokens must carry. Env: PYBAK_OIDC_AUDIENCE.")
    var oidcAudience: String?

    @Option(name: .customLong("oidc-client-id"), help: "The dashboard's OAuth client id (public client, authorization code + PKCE) at the issuer; without it the dashboard only takes a pasted token. Env: PYBAK_OIDC_CLIENT_ID.")
    var oidcClientId: String?

    @Option(name: .customLong("oidc-login-scope"), help: "Scopes the dashboard asks for when signing in (default 'openid pybak.read pybak.trigger'). Env: PYBAK_OIDC_LOGIN_SCOPE.")
    var oidcLoginScope: String?

    /// The listening address, from the flag or PYBAK_LISTEN; nil when the API is not wanted.
    func address(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ListenAddress? {
        guard let text = listen ?? environment["PYBAK_LISTEN"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        do {
            return try ListenAddress(parsing: text)
        } catch {
            throw PyBakError(.usage, "\(error)")
        }
    }

    /// The token checker, or nil when no issuer is configured (auth off; the server allows that on loopback only).
    func authenticator(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (any BearerAuthenticator)? {
        let issuer = oidcIssuer ?? environment["PYBAK_OIDC_ISSUER"].flatMap { $0.isEmpty ? nil : $0 }
        let audience = oidcAudience ?? environment["PYBAK_OIDC_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 }
        switch (issuer, audience) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw PyBakError(.usage, "--oidc-issuer needs --oidc-audience (or PYBAK_OIDC_AUDIENCE): the aud your tokens carry")
        case (nil, .some):
            throw PyBakError(.usage, "--oidc-audience needs --oidc-issuer (or PYBAK_OIDC_ISSUER)")
        case (let issuer?, let audience?):
            guard IssuerURL.isAcceptable(issuer) else {
                throw PyBakError(.usage, "--oidc-issuer \(issuer) must be an https URL (http is allowed only for a loopback issuer)")
            }
            let keys = OIDCKeyCache(issuer: issuer, getter: IssuerFetcher(logger: logger), logger: logger)
            return JWTVerifier(issuer: issuer, audience: audience, keys: keys)
        }
    }

    /// Builds the server over a SQLite catalog file.
    func server(
        address: ListenAddress, database: DatabaseTarget?, catalogPath: String, trigger: (any PassTrigger)?, statusSource: (any StatusSource)?,
        logger: Logger
    ) throws -> APIServer {
        // Connections of the pool: PostgreSQL when a database is given (already migrated by the caller), else the SQLite file.
        let pool = CatalogPool(connections: 4) { () throws -> any Catalog in
            if let database { return try PostgresCatalog(target: database) }
            return try SQLiteCatalog(path: catalogPath)
        }
        var configuration = APIConfiguration(address: address)
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["PYBAK_API_FOLLOW_SECONDS"], let seconds = Double(text), seconds > 0 {
            configuration.followMaxSeconds = seconds
        }
        configuration.dashboardClientId = oidcClientId ?? environment["PYBAK_OIDC_CLIENT_ID"].flatMap { $0.isEmpty ? nil : $0 }
        if let scope = oidcLoginScope ?? environment["PYBAK_OIDC_LOGIN_SCOPE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.dashboardScope = scope
        }
        do {
            return try APIServer(
                configuration: configuration, catalog: pool, authenticator: try authenticator(logger: logger),
                trigger: trigger, statusSource: statusSource, logger: logger
            )
        } catch let error as APIConfigurationError {
            throw PyBakError(.usage, error.message)
        }
    }
}
