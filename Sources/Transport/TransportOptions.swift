/// Connection settings shared by every request a client makes: TLS trust, client identity, limits.
///
/// Proxies come from the environment as libcurl reads them (`https_proxy`, `http_proxy`, `no_proxy`, `all_proxy`).
public struct TransportOptions: Sendable {
    /// A PEM bundle of trusted CAs instead of the system's (`--ca-file`, a Kubernetes `certificate-authority`).
    public var caFile: String?
    /// Trusted CAs as PEM text (a kubeconfig's `certificate-authority-data`, decoded).
    public var caPEM: [UInt8]?
    /// A client certificate (PEM) for mutual TLS, from a file.
    public var clientCertificateFile: String?
    /// The client certificate's private key (PEM), from a file.
    public var clientKeyFile: String?
    /// A client certificate as PEM text (a kubeconfig's `client-certificate-data`, decoded).
    public var clientCertificatePEM: [UInt8]?
    /// The client key as PEM text (a kubeconfig's `client-key-data`, decoded).
    public var clientKeyPEM: [UInt8]?
    /// Skips server certificate verification. Only for explicit user choice (`insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// Seconds allowed to establish a connection.
    public var connectTimeout: Double
    /// A transfer slower than 1 byte/s for this many seconds is abandoned as stalled (nil: never).
    public var stallTimeout: Double?
    /// The `User-Agent` header.
    public var userAgent: String

    /// Creates options with TLS verification on and the system trust store.
    public init(
        caFile: String? = nil, caPEM: [UInt8]? = nil,
        clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
        clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        insecureSkipVerify: Bool = false, connectTimeout: Double = 10, stallTimeout: Double? = 60,
        userAgent: String = "pybak"
    ) {
        self.caFile = caFile
        self.caPEM = caPEM
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.userAgent = userAgent
    }
}
