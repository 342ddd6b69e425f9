/// Who made a request, as the verified token says.
public struct Principal: Sendable, Equatable {
    /// The token's `sub` claim (or `anonymous` when auth is off).
    public var subject: String
    /// The scopes the token grants.
    public var scopes: Set<String>

    /// Creates a principal.
    public init(subject: String, scopes: Set<String>) {
        self.subject = subject
        self.scopes = scopes
    }

    /// The caller when authentication is off (loopback only): every scope.
    public static let anonymous = Principal(subject: "anonymous", scopes: [APIScope.read, APIScope.trigger])
}

/// The OAuth 2 scopes the API checks.
public enum APIScope {
    /// Needed by every GET (status, logs, files, runs, metrics).
    public static let read = "pybak.read"
    /// Needed by `POST /compress`.
    public static let trigger = "pybak.trigger"
}
