import Foundation
import Synchronization

/// A kubeconfig credential plugin (`users[].user.exec`): a command that prints an `ExecCredential` with a
/// bearer token and/or a client certificate, as `kubectl` runs it (cloud CLIs such as `aws eks get-token`).
///
/// The command runs with its `args`, the process environment plus its `env`, `KUBERNETES_EXEC_INFO` (the
/// request: never interactive; the cluster with `provideClusterInfo`), no stdin, and a time limit. Its answer
/// is cached until `expirationTimestamp` (or, without one, until the server answers 401), and runs are
/// serialised so concurrent requests do not start it twice.
public final class ExecCredentialPlugin: Sendable {
    /// The plugin's kubeconfig entry.
    public struct Settings: Sendable {
        /// The command: a name looked up on `PATH`, or a path (relative ones resolved against the kubeconfig's folder).
        public var command: String
        /// Its arguments.
        public var args: [String]
        /// Extra environment variables, in order.
        public var env: [(name: String, value: String)]
        /// `client.authentication.k8s.io/v1` or `v1beta1`: the version asked for and expected back.
        public var apiVersion: String
        /// Shown when the command cannot be run (how to install it).
        public var installHint: String?
        /// Whether `KUBERNETES_EXEC_INFO` carries the cluster (server, CA).
        public var provideClusterInfo: Bool
        /// Where the entry is (`kubeconfig /path users[u].user.exec`), for messages.
        public var origin: String

        /// Creates settings.
        public init(
            command: String, args: [String] = [], env: [(name: String, value: String)] = [], apiVersion: String = "client.authentication.k8s.io/v1",
            installHint: String? = nil, provideClusterInfo: Bool = false, origin: String = "exec plugin"
        ) {
            self.command = command
            self.args = args
            self.env = env
            self.apiVersion = apiVersion
            self.installHint = installHint
            self.provideClusterInfo = provideClusterInfo
            self.origin = origin
        }
    }

    private struct Cached: Sendable {
        var status: ExecCredential.Status
        var expiry: Date?
    }

    /// The plugin's settings.
    public let settings: Settings
    private let cluster: ExecCredentialRequest.Cluster
    private let timeout: Double
    private let now: @Sendable () -> Date
    private let cache = Mutex<Cached?>(nil)
    private let running = Mutex<Void>(())

    /// Creates a plugin.
    /// - Parameters:
    ///   - settings: the kubeconfig entry.
    ///   - server: the cluster's URL, for `KUBERNETES_EXEC_INFO`.
    ///   - certificateAuthority: the cluster's CA (PEM), for `KUBERNETES_EXEC_INFO`.
    ///   - insecureSkipTLSVerify: the cluster's setting, for `KUBERNETES_EXEC_INFO`.
    ///   - timeout: seconds the command may take before it is killed.
    ///   - now: the clock deciding expiry (injected by tests).
    public init(
        settings: Settings, server: String, certificateAuthority: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
        timeout: Double = 60, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.settings = settings
        self.cluster = ExecCredentialRequest.Cluster(
            server: server, certificateAuthorityData: certificateAuthority.map { Data($0).base64EncodedString() },
            insecureSkipTLSVerify: insecureSkipTLSVerify ? true : nil)
        self.timeout = timeout
        self.now = now
    }

    /// The current credential: the cached one while it has not expired, else the command's new answer.
    /// - Throws: `ExecCredentialError` naming the command and what went wrong.
    public func credential() throws -> ExecCredential.Status {
        try running.withLock { _ in
            if let cached = cache.withLock({ $0 }), cached.expiry.map({ now() < $0 }) ?? true { return cached.status }
            let (status, expiry) = try ExecCredentialRunner(settings: settings, cluster: cluster, timeout: timeout).run()
            cache.withLock { $0 = Cached(status: status, expiry: expiry) }
            return status
        }
    }

    /// Forgets `used` after the server refused it (401), so that the next request runs the command again.
    /// A credential fetched meanwhile by another request is kept.
    public func invalidate(_ used: ExecCredential.Status) {
        cache.withLock { cached in
            if cached?.status == used { cached = nil }
        }
    }
}
