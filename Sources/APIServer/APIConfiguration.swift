/// Where the API listens and its limits.
public struct APIConfiguration: Sendable {
    /// The listening address.
    public var address: ListenAddress
    /// A `follow=true` log stream ends after this long; the browser's EventSource reconnects with `Last-Event-ID`.
    public var followMaxSeconds: Double = 3600
    /// How often a log stream looks for new lines.
    public var followPollSeconds: Double = 1
    /// Triggers a caller may send at once before the rate limit applies.
    public var triggerBurst = 5
    /// Triggers per minute a caller may send on average.
    public var triggersPerMinute = 10.0
    /// How long an `Idempotency-Key` is remembered.
    public var idempotencyLifetimeSeconds: Double = 24 * 3600
    /// The OAuth client id of the dashboard (a public client: authorization code + PKCE); nil offers only a pasted token.
    public var dashboardClientId: String?
    /// The scopes the dashboard asks the issuer for.
    public var dashboardScope = "openid pybak.read pybak.trigger"

    /// Creates a configuration with default limits.
    public init(address: ListenAddress) {
        self.address = address
    }
}

/// `HOST:PORT`, `:PORT` (all interfaces) or `[IPv6]:PORT`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `--listen`.
    /// - Throws: `APIConfigurationError` naming the text and the expected form.
    public init(parsing text: String) throws {
        let problem = APIConfigurationError("--listen '\(text)' is not HOST:PORT (e.g. 127.0.0.1:8080, :8080 or [::1]:8080)")
        guard let colon = text.lastIndex(of: ":") else { throw problem }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { throw problem }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        guard !host.contains(" ") else { throw problem }
        self.init(host: host, port: port)
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
