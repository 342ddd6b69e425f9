import Foundation
import Logging

/// The issuer's signing keys, found through OIDC discovery and cached.
///
/// Loaded on first use. A token with an unknown `kid` makes it fetch the JWKS again, at most once
/// per `minimumRefreshSeconds`, so a flood of bad tokens cannot hammer the issuer. Keys are also
/// refetched on use once they are older than `maximumAgeSeconds`; if that fails, the old ones stay.
public actor OIDCKeyCache {
    let issuer: String
    private let getter: any HTTPGetter
    private let logger: Logger
    private let minimumRefreshSeconds: Double
    private let maximumAgeSeconds: Double
    private let clock: @Sendable () -> Double
    private var keys: [KeyEntry]?
    /// The endpoints discovery named, for the dashboard's sign-in.
    private var endpoints: LoginEndpoints?
    private var lastFetch: Double?
    private var lastError: String?
    /// While no keys were ever loaded, the issuer is asked again at most this often.
    static let unreachableRetrySeconds = 5.0
    private var inFlight: Task<([KeyEntry], LoginEndpoints?), any Error>?
    /// Fetches made so far (tests check the refresh limit with it).
    private(set) var fetchCount = 0

    /// Creates a cache.
    /// - Parameters:
    ///   - issuer: the `iss` URL; discovery is at `ISSUER/.well-known/openid-configuration`.
    ///   - getter: fetches discovery and JWKS documents.
    public init(
        issuer: String, getter: any HTTPGetter, logger: Logger, minimumRefreshSeconds: Double = 60, maximumAgeSeconds: Double = 3600,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.issuer = issuer
        self.getter = getter
        self.logger = logger
        self.minimumRefreshSeconds = minimumRefreshSeconds
        self.maximumAgeSeconds = maximumAgeSeconds
        self.clock = clock
    }

    /// The key for a token's `kid` and `alg`.
    /// - Throws: `AuthError.invalidToken` for an unknown kid, `.keysUnavailable` when nothing could be fetched.
    func key(id: String?, algorithm: JWSAlgorithm) async throws(AuthError) -> VerificationKey {
        let now = clock()
        if keys == nil, let lastFetch, now - lastFetch < Self.unreachableRetrySeconds, let lastError, inFlight == nil {
            // The issuer did not answer a moment ago: say so at once instead of making every request wait for it again.
            throw .keysUnavailable(lastError)
        }
        if keys == nil || (lastFetch.map { now - $0 >= maximumAgeSeconds } ?? true) {
            try await refresh(required: keys == nil)
        }
        if let found = Self.pick(keys ?? [], id: id, algorithm: algorithm) { return found }
        if let lastFetch, now - lastFetch >= minimumRefreshSeconds {
            try await refresh(required: false)
            if let found = Self.pick(keys ?? [], id: id, algorithm: algorithm) { return found }
        }
        if let id {
            throw .invalidToken("no \(algorithm.rawValue) key with kid '\(id)' in the issuer's JWKS")
        }
        throw .invalidToken("the token has no kid and the issuer's JWKS has no single \(algorithm.rawValue) key to use")
    }

    private static func pick(_ keys: [KeyEntry], id: String?, algorithm: JWSAlgorithm) -> VerificationKey? {
        let fitting = keys.filter { $0.key.algorithm == algorithm }
        if let id { return fitting.first { $0.id == id }?.key }
        return fitting.count == 1 ? fitting[0].key : nil
    }

    private func refresh(required: Bool) async throws(AuthError) {
        let task: Task<([KeyEntry], LoginEndpoints?), any Error>
        if let inFlight {
            task = inFlight
        } else {
            fetchCount += 1
            lastFetch = clock()
            let issuer = self.issuer
            let getter = self.getter
            let logger = self.logger
            task = Task { try await Self.fetch(issuer: issuer, getter: getter, logger: logger) }
            inFlight = task
        }
        do {
            let fetched = try await task.value
            keys = fetched.0
            endpoints = fetched.1
            lastError = nil
            inFlight = nil
        } catch {
            inFlight = nil
            lastError = "cannot fetch the signing keys of the issuer \(issuer): \(error)"
            logger.error("cannot fetch the issuer's keys", metadata: ["oidc.issuer": "\(issuer)", "reason": "\(error)"])
            if required || keys == nil { throw .keysUnavailable(lastError ?? "") }
        }
    }

    /// The authorization and token endpoints from discovery (fetched now if never fetched; nil when the issuer
    /// cannot be reached or names none).
    func loginEndpoints() async -> LoginEndpoints? {
        if keys == nil, lastFetch.map({ clock() - $0 >= Self.unreachableRetrySeconds }) ?? true {
            try? await refresh(required: false)
        }
        return endpoints
    }

    /// Fetches discovery and the JWKS once at start, so that an issuer that cannot be reached (or a placeholder
    /// left in the configuration) is reported at once rather than at the first request.
    /// - Returns: nil when the keys were loaded, else why not.
    public func probe() async -> String? {
        do {
            try await refresh(required: true)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private static func fetch(issuer: String, getter: any HTTPGetter, logger: Logger) async throws -> ([KeyEntry], LoginEndpoints?) {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discoveryURL = base + "/.well-known/openid-configuration"
        let discovery = try await getJSON(discoveryURL, as: DiscoveryDocument.self, getter: getter)
        guard discovery.issuer == issuer else {
            throw OIDCFetchError("\(discoveryURL) names the issuer '\(discovery.issuer)', not '\(issuer)'; fix --oidc-issuer")
        }
        guard IssuerURL.isAcceptable(discovery.jwks_uri) else {
            throw OIDCFetchError("jwks_uri \(discovery.jwks_uri) must be https (http only on loopback)")
        }
        let set = try await getJSON(discovery.jwks_uri, as: JSONWebKeySet.self, getter: getter)
        let (keys, skipped) = set.verificationKeys()
        for reason in skipped {
            logger.warning("JWKS key not used", metadata: ["oidc.jwks_uri": "\(discovery.jwks_uri)", "reason": "\(reason)"])
        }
        logger.info("issuer keys loaded", metadata: ["oidc.issuer": "\(issuer)", "keys": "\(keys.count)"])
        var endpoints: LoginEndpoints?
        if let authorization = discovery.authorization_endpoint, let token = discovery.token_endpoint,
           IssuerURL.isAcceptable(authorization), IssuerURL.isAcceptable(token) {
            endpoints = LoginEndpoints(authorization: authorization, token: token)
        }
        return (keys, endpoints)
    }

    private static func getJSON<T: Decodable>(_ url: String, as type: T.Type, getter: any HTTPGetter) async throws -> T {
        let response = try await getter.get(url)
        guard response.status == 200 else { throw OIDCFetchError("GET \(url) answered HTTP \(response.status)") }
        guard response.body.count <= 1 << 20 else { throw OIDCFetchError("GET \(url) answered more than 1 MiB") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw OIDCFetchError("GET \(url) did not answer the expected JSON: \(error)")
        }
    }

    struct DiscoveryDocument: Decodable {
        var issuer: String
        var jwks_uri: String
        var authorization_endpoint: String?
        var token_endpoint: String?
    }
}

/// Where a browser signs in (authorization code + PKCE): from the issuer's discovery document.
public struct LoginEndpoints: Sendable, Equatable {
    /// `authorization_endpoint`.
    public var authorization: String
    /// `token_endpoint`.
    public var token: String

    /// Creates the pair.
    public init(authorization: String, token: String) {
        self.authorization = authorization
        self.token = token
    }
}

/// A discovery or JWKS fetch that failed.
struct OIDCFetchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Checks issuer and JWKS URLs: https, or http on a loopback host.
public enum IssuerURL {
    /// True when the URL is https, or http to 127.0.0.0/8, ::1 or localhost.
    public static func isAcceptable(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host else { return false }
        if scheme == "https" { return true }
        guard scheme == "http" else { return false }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
