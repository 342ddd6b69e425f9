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

    /// Creates a configuration.
    public init(server: String, namespace: String = "default", transport: TransportOptions = TransportOptions(), token: TokenSource? = nil, origin: String = "explicit") {
        self.server = server
        self.namespace = namespace
        self.transport = transport
        self.token = token
        self.origin = origin
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
