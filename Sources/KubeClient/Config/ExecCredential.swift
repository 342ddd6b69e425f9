import Foundation

/// What a credential plugin prints on stdout: an `ExecCredential` (`client.authentication.k8s.io/v1` or
/// `v1beta1`) whose `status` holds a bearer token and/or a client certificate and key, and when they expire.
public struct ExecCredential: Codable, Sendable {
    /// The credential itself.
    public struct Status: Codable, Sendable, Equatable {
        /// A bearer token.
        public var token: String?
        /// A client certificate, PEM text.
        public var clientCertificateData: String?
        /// The certificate's private key, PEM text.
        public var clientKeyData: String?
        /// RFC 3339 time after which the plugin must be run again; absent: until the server answers 401.
        public var expirationTimestamp: String?

        /// Creates a status.
        public init(token: String? = nil, clientCertificateData: String? = nil, clientKeyData: String? = nil, expirationTimestamp: String? = nil) {
            self.token = token
            self.clientCertificateData = clientCertificateData
            self.clientKeyData = clientKeyData
            self.expirationTimestamp = expirationTimestamp
        }
    }

    /// `client.authentication.k8s.io/v1` (or `v1beta1`).
    public var apiVersion: String?
    /// `ExecCredential`.
    public var kind: String?
    /// The credential.
    public var status: Status?
}

/// `KUBERNETES_EXEC_INFO`: what the plugin is told about the request (and, with `provideClusterInfo`, the cluster).
struct ExecCredentialRequest: Encodable {
    struct Cluster: Encodable {
        var server: String
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct Spec: Encodable {
        var interactive: Bool
        var cluster: Cluster?
    }

    var apiVersion: String
    var kind = "ExecCredential"
    var spec: Spec
}
