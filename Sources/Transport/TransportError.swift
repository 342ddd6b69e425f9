/// A failed exchange with a remote service, naming the endpoint, the status and the service's own words.
public struct TransportError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure; decides whether a retry can help.
    public enum Kind: String, Sendable, Equatable {
        /// Name resolution, connection refused or reset, a dropped connection.
        case network
        /// The request took longer than its timeout.
        case timeout
        /// TLS handshake or certificate verification failed.
        case tls
        /// The server answered with a non-2xx status.
        case status
        /// The caller cancelled the transfer.
        case cancelled
        /// A local problem: a body file that cannot be read, a bad URL, an option libcurl refused.
        case local
    }

    /// The kind of failure.
    public var kind: Kind
    /// The method and URL (without credentials or query secrets) of the request.
    public var endpoint: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The server's own message, when it sent one (S3 `<Message>`, GCS/Kubernetes JSON `message`).
    public var serviceMessage: String?
    /// libcurl's words, or ours for local failures.
    public var detail: String
    /// Seconds the server asked to wait before retrying (`Retry-After`).
    public var retryAfter: Double?

    /// Creates an error.
    public init(kind: Kind, endpoint: String, status: Int? = nil, serviceMessage: String? = nil, detail: String, retryAfter: Double? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.status = status
        self.serviceMessage = serviceMessage
        self.detail = detail
        self.retryAfter = retryAfter
    }

    /// Whether repeating the same request may succeed: network faults, timeouts, 429 and 5xx.
    public var isRetryable: Bool {
        switch kind {
        case .network, .timeout: return true
        case .status: return status == 429 || status == 408 || (status ?? 0) >= 500
        case .tls, .cancelled, .local: return false
        }
    }

    public var description: String {
        var text = "\(endpoint): "
        if let status { text += "HTTP \(status)" } else { text += detail }
        if let serviceMessage, !serviceMessage.isEmpty { text += " — \(serviceMessage)" } else if status != nil, !detail.isEmpty { text += " — \(detail)" }
        return text
    }
}
