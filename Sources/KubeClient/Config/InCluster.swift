import Foundation
import Transport

/// The configuration a Pod gets from Kubernetes: `KUBERNETES_SERVICE_HOST/PORT`, the service account's token
/// (re-read when the kubelet rotates it), CA bundle and namespace.
public enum InCluster {
    /// The service account's directory.
    public static let directory = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// The token file.
    public static var tokenPath: String { directory + "/token" }

    /// Builds the in-cluster configuration.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - directory: the service-account directory (tests point it elsewhere).
    /// - Throws: `KubeConfigError` naming the variable or file that is missing.
    public static func load(environment: [String: String], directory: String = InCluster.directory) throws -> KubeClientConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubeConfigError(file: "environment", field: "KUBERNETES_SERVICE_HOST", problem: "not set", remedy: "run inside a Pod or use a kubeconfig")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        guard Int(port) != nil else {
            throw KubeConfigError(file: "environment", field: "KUBERNETES_SERVICE_PORT", problem: "\"\(port)\" is not a port number", remedy: "unset it or set a number")
        }
        let tokenPath = directory + "/token"
        let caPath = directory + "/ca.crt"
        let token = TokenSource(file: tokenPath)
        _ = try token.current()
        guard FileManager.default.isReadableFile(atPath: caPath) else {
            throw KubeConfigError(file: caPath, field: "", problem: "the service account CA bundle is missing", remedy: "mount the service account token (automountServiceAccountToken)")
        }
        let namespaceData = FileManager.default.contents(atPath: directory + "/namespace")
        let namespace = namespaceData.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "default"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeClientConfig(
            server: "https://\(hostPart):\(port)", namespace: namespace.isEmpty ? "default" : namespace,
            transport: TransportOptions(caFile: caPath), token: token, origin: "in-cluster service account \(directory)")
    }
}
