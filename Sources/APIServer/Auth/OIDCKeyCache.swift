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
    private var lastFetch: Double?
    private var inFlight: Task<[KeyEntry], any Error>?
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
        let task: Task<[KeyEntry], any Error>
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
            keys = fetched
            inFlight = nil
        } catch {
            inFlight = nil
            logger.error("cannot fetch the issuer's keys", metadata: ["oidc.issuer": "\(issuer)", "reason": "\(error)"])
            if required || keys == nil { throw .keysUnavailable("cannot fetch the issuer's signing keys: \(error)") }
        }
    }

    private static func fetch(issuer: String, getter: any HTTPGetter, logger: Logger) async throws -> [KeyEntry] {
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
        return keys
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
