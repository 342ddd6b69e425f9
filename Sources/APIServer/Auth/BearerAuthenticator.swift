/// Checks a bearer token and says who sent it.
public protocol BearerAuthenticator: Sendable {
    /// The issuer tokens must come from (shown at start and in `WWW-Authenticate`).
    var issuer: String { get }
    /// Verifies the token.
    /// - Returns: the caller.
    /// - Throws: `AuthError` saying why the token is not accepted.
    func authenticate(token: String) async throws(AuthError) -> Principal
    /// The audience tokens must carry and the issuer's sign-in endpoints, for the dashboard; nil when unknown.
    func loginSettings() async -> (audience: String, endpoints: LoginEndpoints?)?
    /// Reaches the issuer now (discovery and keys); nil when that worked, else why not.
    func probe() async -> String?
}

extension BearerAuthenticator {
    public func loginSettings() async -> (audience: String, endpoints: LoginEndpoints?)? { nil }
    public func probe() async -> String? { nil }
}

/// Why a request is not authenticated.
public enum AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token is malformed, badly signed, expired, or for someone else (the text says which).
    case invalidToken(String)
    /// The issuer's keys could not be fetched; nothing can be verified right now.
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .invalidToken(let reason): return reason
        case .keysUnavailable(let reason): return reason
        }
    }
}
