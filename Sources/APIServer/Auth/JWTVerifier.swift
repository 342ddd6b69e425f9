import Foundation
import PyBakCore

/// Verifies OAuth 2 access tokens that are JWTs (RFC 7519, RFC 9068), following RFC 8725:
/// an algorithm allowlist (RS256, ES256), the key chosen by the issuer's JWKS and the token's
/// `kid` (never by the token's own `alg` alone), exact `iss`, `aud` containing the audience,
/// `exp` required and `nbf` honoured with a small leeway, and no `crit` extensions.
public struct JWTVerifier: BearerAuthenticator {
    public let issuer: String
    /// The `aud` value tokens must carry.
    public let audience: String
    /// Clock skew tolerated on `exp` and `nbf`, seconds.
    public let leewaySeconds: Double
    private let keys: OIDCKeyCache
    private let clock: @Sendable () -> Double

    /// Creates a verifier.
    /// - Parameters:
    ///   - issuer: the exact `iss` expected.
    ///   - audience: the `aud` expected.
    ///   - keys: the issuer's keys.
    ///   - leewaySeconds: clock skew tolerated (default 30 s).
    public init(issuer: String, audience: String, keys: OIDCKeyCache, leewaySeconds: Double = 30, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.leewaySeconds = leewaySeconds
        self.clock = clock
    }

    public func loginSettings() async -> (audience: String, endpoints: LoginEndpoints?)? {
        (audience, await keys.loginEndpoints())
    }

    public func probe() async -> String? {
        await keys.probe()
    }

    /// Tokens longer than this are refused before any parsing.
    static let maximumLength = 16 * 1024

    public func authenticate(token: String) async throws(AuthError) -> Principal {
        guard token.utf8.count <= Self.maximumLength else { throw .invalidToken("the token is longer than \(Self.maximumLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalidToken("the token is not a signed JWT (three base64url parts separated by dots)") }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw .invalidToken("the token is not valid base64url")
        }
        guard let header = Self.object(headerBytes) else { throw .invalidToken("the token header is not a JSON object") }
        guard let algName = header["alg"] as? String else { throw .invalidToken("the token header has no alg") }
        guard let algorithm = JWSAlgorithm(rawValue: algName) else {
            throw .invalidToken("algorithm \(algName) is not accepted; tokens must be signed with RS256 or ES256")
        }
        if header["crit"] != nil { throw .invalidToken("the token has critical header extensions this server does not understand") }
        if let type = header["typ"] {
            guard let text = type as? String, ["jwt", "at+jwt", "application/at+jwt"].contains(text.lowercased()) else {
                throw .invalidToken("the token type \(type) is not an access token (JWT or at+jwt)")
            }
        }
        let kid: String?
        switch header["kid"] {
        case nil: kid = nil
        case let text as String: kid = text
        default: throw .invalidToken("the token's kid is not a string")
        }
        let key = try await keys.key(id: kid, algorithm: algorithm)
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.verify(signature: signature, signingInput: signingInput) else {
            throw .invalidToken("the token's signature does not verify with the issuer's key")
        }
        guard let claims = Self.object(payloadBytes) else { throw .invalidToken("the token payload is not a JSON object") }
        return try check(claims)
    }

    /// Checks the registered claims and reads subject and scopes.
    func check(_ claims: [String: Any]) throws(AuthError) -> Principal {
        guard let iss = claims["iss"] as? String, iss == issuer else {
            throw .invalidToken("the token was issued by \(claims["iss"].map { "'\($0)'" } ?? "nobody"), not \(issuer)")
        }
        let audiences: [String]
        switch claims["aud"] {
        case let one as String: audiences = [one]
        case let many as [Any]: audiences = many.compactMap { $0 as? String }
        default: audiences = []
        }
        guard audiences.contains(audience) else { throw .invalidToken("the token is not meant for this API (aud must include \(audience))") }
        let now = clock()
        guard let exp = Self.number(claims["exp"]) else { throw .invalidToken("the token has no exp") }
        guard now <= exp + leewaySeconds else { throw .invalidToken("the token expired at \(Self.time(exp))") }
        if let nbfValue = claims["nbf"] {
            guard let nbf = Self.number(nbfValue) else { throw .invalidToken("the token's nbf is not a number") }
            guard now + leewaySeconds >= nbf else { throw .invalidToken("the token is not valid before \(Self.time(nbf))") }
        }
        let subject = (claims["sub"] as? String) ?? (claims["client_id"] as? String)
        guard let subject, !subject.isEmpty else { throw .invalidToken("the token has no sub") }
        var scopes: Set<String> = []
        if let scope = claims["scope"] as? String { scopes.formUnion(scope.split(separator: " ").map(String.init)) }
        if let scp = claims["scp"] as? [Any] { scopes.formUnion(scp.compactMap { $0 as? String }) }
        if let scp = claims["scp"] as? String { scopes.formUnion(scp.split(separator: " ").map(String.init)) }
        return Principal(subject: subject, scopes: scopes)
    }

    private static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    private static func number(_ value: Any?) -> Double? {
        if value is Bool { return nil }
        if let number = value as? Double { return number }
        if let number = value as? Int { return Double(number) }
        return (value as? NSNumber)?.doubleValue
    }

    private static func time(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
