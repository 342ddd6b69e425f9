import Transport

/// A failed Kubernetes API call: what the server said (its `Status`), about which request, and what kind of failure it is.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, from the `Status` reason and HTTP code.
    public enum Code: String, Sendable, Equatable {
        /// 400: the request was malformed (bad selector, bad patch, strict field validation).
        case badRequest
        /// 401: no or a rejected credential.
        case unauthorized
        /// 403: the identity may not do this.
        case forbidden
        /// 404: the object or the resource type does not exist.
        case notFound
        /// 409 `AlreadyExists`: create with a taken name.
        case alreadyExists
        /// 409 `Conflict`: update with a stale `resourceVersion`; read again and retry.
        case conflict
        /// 410 `Expired`/`Gone`: the resource version is older than the server keeps; relist.
        case expired
        /// 415: the patch type is not supported for this resource.
        case unsupportedMediaType
        /// 422 `Invalid`: the object failed validation; see `causes`.
        case invalid
        /// 429: too many requests; see `retryAfter`.
        case tooManyRequests
        /// 5xx: the server failed.
        case serverError
        /// Any other non-2xx answer.
        case other
        /// No answer: network, TLS, timeout or cancellation (see `transport`).
        case transport
        /// The answer was not the JSON expected.
        case decoding
    }

    /// The kind of failure.
    public var code: Code
    /// The method and URL path of the request.
    public var endpoint: String
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// The server's `Status` body, when it sent one.
    public var status: Status?
    /// Seconds the server asked to wait (`Retry-After` or `details.retryAfterSeconds`).
    public var retryAfter: Double?
    /// The transport failure, for `.transport`.
    public var transport: TransportError?
    /// Our words, when the server's are missing (decoding failures, empty bodies).
    public var detail: String?
    /// For `.unauthorized` and TLS failures: the credentials sent and where they came from
    /// (`client certificate of kubeconfig /path context c`).
    public var credentials: String?

    /// Creates an error.
    public init(
        code: Code, endpoint: String, httpStatus: Int? = nil, status: Status? = nil, retryAfter: Double? = nil,
        transport: TransportError? = nil, detail: String? = nil
    ) {
        self.code = code
        self.endpoint = endpoint
        self.httpStatus = httpStatus
        self.status = status
        self.retryAfter = retryAfter
        self.transport = transport
        self.detail = detail
    }

    /// The server's message, or ours.
    public var message: String { status?.message ?? transport?.description ?? detail ?? "no message" }
    /// The server's CamelCase reason (`NotFound`, `Invalid`, ...).
    public var reason: String? { status?.reason }
    /// Field-level problems of an `Invalid` answer.
    public var causes: [StatusCause] { status?.details?.causes ?? [] }

    /// Whether repeating the same read may succeed: 429, 5xx and transport failures other than cancellation and TLS.
    public var isRetryable: Bool {
        switch code {
        case .tooManyRequests, .serverError: return true
        case .transport: return transport?.isRetryable ?? false
        default: return false
        }
    }

    public var description: String {
        var text = "\(endpoint): "
        if let httpStatus { text += "HTTP \(httpStatus) " }
        text += reason ?? code.rawValue
        text += " — \(message)"
        let fields = causes.compactMap { cause in cause.field.map { "\($0): \(cause.message ?? cause.reason ?? "invalid")" } }
        if !fields.isEmpty { text += " [\(fields.joined(separator: "; "))]" }
        if let hint { text += " (\(hint))" }
        return text
    }

    /// What the caller can do about it.
    var hint: String? {
        switch code {
        case .unauthorized:
            guard httpStatus != nil else { return nil }  // no request was sent: the detail says why (a credential plugin failed)
            guard let credentials else { return "check the token or client certificate in the kubeconfig or service account" }
            return "not accepted: \(credentials); check that the token is current, or that the client certificate "
                + "is issued by the cluster's client CA and not expired"
        case .transport where transport?.kind == .tls:
            return "TLS with the server failed: check the cluster's certificate-authority(-data) and the client certificate"
                + (credentials.map { " (\($0))" } ?? "")
        case .forbidden: return "grant the identity this verb on this resource (RBAC)"
        case .conflict: return "read the object again and reapply the change"
        case .expired: return "list again and watch from the new resourceVersion"
        case .tooManyRequests: return "slow down; retry after the server's delay"
        default: return nil
        }
    }
}
