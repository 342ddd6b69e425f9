import Foundation
import Transport
import Yams

/// Reads a kubeconfig (`$KUBECONFIG`, a colon-separated list merged first-wins as kubectl does, or `~/.kube/config`)
/// into a `KubeClientConfig` for the current or a chosen context.
///
/// Honoured: `server`, `certificate-authority(-data)`, `insecure-skip-tls-verify`, `client-certificate(-data)`,
/// `client-key(-data)`, `token`, `tokenFile` (re-read when it changes), `exec` credential plugins, the context's
/// `namespace`. Relative file paths are resolved against the kubeconfig's directory. `auth-provider` is refused.
public enum Kubeconfig {
    /// The kubeconfig files to read, in order.
    public static func paths(environment: [String: String]) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [home + "/.kube/config"]
    }

    /// Loads the configuration of `context` (or the current context) from the kubeconfig files.
    /// - Throws: `KubeConfigError` naming the file and field at fault.
    public static func load(context: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubeClientConfig {
        let files = paths(environment: environment)
        var parsed: [(path: String, file: KubeconfigFile)] = []
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                if files.count > 1 { continue }  // kubectl skips missing entries of a list
                throw KubeConfigError(file: path, field: "", problem: "cannot read the kubeconfig", remedy: "set KUBECONFIG or --kubeconfig to a readable file, or run in a cluster")
            }
            parsed.append((path, try parse(String(decoding: data, as: UTF8.self), path: path)))
        }
        guard !parsed.isEmpty else {
            throw KubeConfigError(file: files.joined(separator: ":"), field: "", problem: "none of the kubeconfig files exists", remedy: "set KUBECONFIG to a readable file")
        }
        return try resolve(parsed, context: context)
    }

    /// Parses one kubeconfig document.
    ///
    /// Parsed with `Resolver.basic`: the decoder reads booleans and numbers from the text of each scalar, and
    /// Yams' other resolvers match scalars with `NSRegularExpression`, which loads ICU and its data (MiBs of
    /// resident memory a long-running controller would keep for one small file). So YAML merge keys (`<<`)
    /// are not expanded; kubeconfigs written by kubectl and cloud CLIs do not use them.
    static func parse(_ yaml: String, path: String) throws -> KubeconfigFile {
        do {
            let parser = try Parser(yaml: yaml, resolver: .basic)
            guard let root = try parser.singleRoot() else {
                throw KubeConfigError(file: path, field: "", problem: "the kubeconfig is empty", remedy: "fix the file")
            }
            return try withExtendedLifetime(parser) { try YAMLDecoder().decode(KubeconfigFile.self, from: root) }
        } catch let error as KubeConfigError {
            throw error
        } catch let error as DecodingError {
            throw KubeConfigError(file: path, field: fieldPath(of: error), problem: "not a valid kubeconfig (\(describe(error)))", remedy: "fix the file")
        } catch {
            throw KubeConfigError(file: path, field: "", problem: "not valid YAML: \(error)", remedy: "fix the file")
        }
    }

    /// Picks the context, its cluster and user from the merged files, and builds the configuration.
    static func resolve(_ files: [(path: String, file: KubeconfigFile)], context wanted: String?) throws -> KubeClientConfig {
        let first = files[0].path
        guard let contextName = wanted ?? files.lazy.compactMap({ $0.file.currentContext }).first(where: { !$0.isEmpty }) else {
            throw KubeConfigError(file: first, field: "current-context", problem: "no current context is set", remedy: "set current-context or pass a context explicitly")
        }
        guard let (contextPath, context) = find(contextName, in: files, list: { $0.contexts }, name: { $0.name }, value: { $0.context }) else {
            throw KubeConfigError(file: first, field: "contexts[\(contextName)]", problem: "no such context", remedy: "use one of: \(names(files) { $0.contexts?.compactMap(\.name) })")
        }
        guard let clusterName = context.cluster, !clusterName.isEmpty else {
            throw KubeConfigError(file: contextPath, field: "contexts[\(contextName)].context.cluster", problem: "missing", remedy: "name a cluster")
        }
        guard let (clusterPath, cluster) = find(clusterName, in: files, list: { $0.clusters }, name: { $0.name }, value: { $0.cluster }) else {
            throw KubeConfigError(file: contextPath, field: "clusters[\(clusterName)]", problem: "no such cluster (named by context \(contextName))", remedy: "add the cluster or fix the context")
        }
        var options = TransportOptions()
        let server = try clusterSettings(cluster, name: clusterName, path: clusterPath, into: &options)
        var token: TokenSource?
        var plugin: ExecCredentialPlugin?
        if let userName = context.user, !userName.isEmpty {
            guard let (userPath, user) = find(userName, in: files, list: { $0.users }, name: { $0.name }, value: { $0.user }) else {
                throw KubeConfigError(file: contextPath, field: "users[\(userName)]", problem: "no such user (named by context \(contextName))", remedy: "add the user or fix the context")
            }
            token = try userSettings(user, name: userName, path: userPath, into: &options)
            if let exec = user.exec {
                let settings = try KubeconfigExec.settings(exec, field: "users[\(userName)].user.exec", path: userPath)
                if token != nil {
                    throw KubeConfigError(file: userPath, field: "users[\(userName)].user", problem: "both a token and an exec plugin are set", remedy: "keep one of them")
                }
                let ca = try options.caPEM ?? options.caFile.map { file in
                    guard let data = FileManager.default.contents(atPath: file) else {
                        throw KubeConfigError(file: clusterPath, field: "clusters[\(clusterName)].cluster.certificate-authority", problem: "cannot read \(file)", remedy: "fix the path")
                    }
                    return [UInt8](data)
                }
                plugin = ExecCredentialPlugin(settings: settings, server: server, certificateAuthority: ca, insecureSkipTLSVerify: options.insecureSkipVerify)
            }
        }
        let namespace = context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubeClientConfig(
            server: server, namespace: namespace, transport: options, token: token, origin: "kubeconfig \(contextPath) context \(contextName)", exec: plugin)
    }

    private static func clusterSettings(_ cluster: KubeconfigFile.Cluster, name: String, path: String, into options: inout TransportOptions) throws -> String {
        let field = "clusters[\(name)].cluster"
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeConfigError(file: path, field: "\(field).server", problem: "missing", remedy: "set the API server URL (https://host:port)")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw KubeConfigError(file: path, field: "\(field).server", problem: "\"\(server)\" is not an http(s) URL", remedy: "write https://host:port")
        }
        if let data = cluster.certificateAuthorityData {
            options.caPEM = try base64(data, file: path, field: "\(field).certificate-authority-data")
        } else if let file = cluster.certificateAuthority {
            options.caFile = try existing(file, relativeTo: path, field: "\(field).certificate-authority")
        }
        options.insecureSkipVerify = cluster.insecureSkipTLSVerify ?? false
        return server
    }

    private static func userSettings(_ user: KubeconfigFile.User, name: String, path: String, into options: inout TransportOptions) throws -> TokenSource? {
        let field = "users[\(name)].user"
        if user.authProvider != nil {
            throw KubeConfigError(
                file: path, field: "\(field).auth-provider", problem: "auth-provider plugins are not supported (kubectl removed them too)",
                remedy: "use an exec credential plugin, a token, tokenFile or client certificate")
        }
        if let data = user.clientCertificateData {
            options.clientCertificatePEM = try base64(data, file: path, field: "\(field).client-certificate-data")
        } else if let file = user.clientCertificate {
            options.clientCertificateFile = try existing(file, relativeTo: path, field: "\(field).client-certificate")
        }
        if let data = user.clientKeyData {
            options.clientKeyPEM = try base64(data, file: path, field: "\(field).client-key-data")
        } else if let file = user.clientKey {
            options.clientKeyFile = try existing(file, relativeTo: path, field: "\(field).client-key")
        }
        let hasCertificate = options.clientCertificatePEM != nil || options.clientCertificateFile != nil
        let hasKey = options.clientKeyPEM != nil || options.clientKeyFile != nil
        if hasCertificate != hasKey {
            throw KubeConfigError(
                file: path, field: hasCertificate ? "\(field).client-key" : "\(field).client-certificate", problem: "missing (a client certificate needs its key and vice versa)",
                remedy: "set both client-certificate(-data) and client-key(-data)")
        }
        if let token = user.token, !token.isEmpty { return TokenSource(token: token) }
        if let file = user.tokenFile, !file.isEmpty {
            return TokenSource(file: try existing(file, relativeTo: path, field: "\(field).tokenFile"))
        }
        return nil
    }

    private static func find<Entry, Value>(
        _ wanted: String, in files: [(path: String, file: KubeconfigFile)], list: (KubeconfigFile) -> [Entry]?, name: (Entry) -> String?, value: (Entry) -> Value?
    ) -> (String, Value)? {
        for (path, file) in files {
            if let entry = list(file)?.first(where: { name($0) == wanted }), let found = value(entry) { return (path, found) }
        }
        return nil
    }

    private static func names(_ files: [(path: String, file: KubeconfigFile)], _ list: (KubeconfigFile) -> [String]?) -> String {
        let all = files.flatMap { list($0.file) ?? [] }
        return all.isEmpty ? "(none defined)" : all.joined(separator: ", ")
    }

    private static func base64(_ text: String, file: String, field: String) throws -> [UInt8] {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact), !data.isEmpty else {
            throw KubeConfigError(file: file, field: field, problem: "not valid base64", remedy: "store the base64 of the PEM text")
        }
        return [UInt8](data)
    }

    private static func existing(_ file: String, relativeTo kubeconfig: String, field: String) throws -> String {
        let resolved = file.hasPrefix("/") ? file : URL(fileURLWithPath: kubeconfig).deletingLastPathComponent().appendingPathComponent(file).path
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            throw KubeConfigError(file: kubeconfig, field: field, problem: "cannot read \(resolved)", remedy: "fix the path (relative paths are resolved against the kubeconfig's directory)")
        }
        return resolved
    }

    private static func fieldPath(of error: DecodingError) -> String {
        let path: [CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "expected \(type)"
        case .valueNotFound(let type, _): return "expected \(type), found null"
        case .keyNotFound(let key, _): return "missing \(key.stringValue)"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
