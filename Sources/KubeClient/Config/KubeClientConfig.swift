import Foundation
import Transport

/// Where the API server is and how to talk to it: URL, TLS trust, client identity, bearer token, default namespace.
public struct KubeClientConfig: Sendable {
    /// `https://host:port` (a path prefix is kept).
    public var server: String
    /// The namespace for namespaced calls that name none.
    public var namespace: String
    /// TLS trust and client certificate.
    public var transport: TransportOptions
    /// The bearer token, if any.
    public var token: TokenSource?
    /// Where this configuration came from (`kubeconfig /path context x`, `in-cluster`), for messages.
    public var origin: String
    /// A credential plugin giving the token and/or client certificate (run again when they expire or get a 401).
    public var exec: ExecCredentialPlugin?

    /// Creates a configuration.
    public init(
        server: String, namespace: String = "default", transport: TransportOptions = TransportOptions(), token: TokenSource? = nil, origin: String = "explicit",
        exec: ExecCredentialPlugin? = nil
    ) {
        self.server = server
        self.namespace = namespace
        self.transport = transport
        self.token = token
        self.origin = origin
        self.exec = exec
    }

    /// What credentials the requests carry and where they come from, for messages
    /// (`the client certificate of kubeconfig /path context c`).
    public var credentialSummary: String {
        var parts: [String] = []
        if let exec { parts.append("the credential from plugin '\(exec.settings.command)'") }
        if token != nil { parts.append("the bearer token") }
        if transport.clientCertificatePEM != nil || transport.clientCertificateFile != nil { parts.append("the client certificate") }
        if parts.isEmpty { return "no credentials (\(origin) has no token, client certificate or exec plugin)" }
        return parts.joined(separator: " and ") + " of \(origin)"
    }

    /// In-cluster configuration when running in a Pod (`KUBERNETES_SERVICE_HOST` set), otherwise the kubeconfig.
    /// - Parameters:
    ///   - context: a kubeconfig context instead of the current one (forces the kubeconfig).
    ///   - environment: the process environment (injected by tests).
    public static func load(context: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubeClientConfig {
        if context == nil, environment["KUBERNETES_SERVICE_HOST"] != nil, FileManager.default.fileExists(atPath: InCluster.tokenPath) {
            return try InCluster.load(environment: environment)
        }
        return try Kubeconfig.load(context: context, environment: environment)
    }
}
