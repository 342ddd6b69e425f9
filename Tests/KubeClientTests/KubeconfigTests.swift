import Foundation
import Testing

@testable import KubeClient

@Suite struct KubeconfigTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    @Test func inlineDataAndCurrentContext() throws {
        let b64 = Data(Self.pem.utf8).base64EncodedString()
        let path = try write("config", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster: {server: "https://prod:6443", certificate-authority-data: \(b64)}
            - name: dev
              cluster: {server: "https://dev:6443", insecure-skip-tls-verify: true}
            users:
            - name: alice
              user: {client-certificate-data: \(b64), client-key-data: \(b64)}
            - name: bob
              user: {token: s3cret}
            contexts:
            - name: prod
              context: {cluster: prod, user: alice, namespace: backups}
            - name: dev
              context: {cluster: dev, user: bob}
            current-context: prod
            """)
        let prod = try Kubeconfig.load(environment: ["KUBECONFIG": path])
        #expect(prod.server == "https://prod:6443")
        #expect(prod.namespace == "backups")
        #expect(prod.transport.caPEM == Array(Self.pem.utf8))
        #expect(prod.transport.clientCertificatePEM == Array(Self.pem.utf8))
        #expect(prod.transport.clientKeyPEM == Array(Self.pem.utf8))
        #expect(prod.token == nil)
        #expect(!prod.transport.insecureSkipVerify)

        let dev = try Kubeconfig.load(context: "dev", environment: ["KUBECONFIG": path])
        #expect(dev.server == "https://dev:6443" && dev.namespace == "default")
        #expect(dev.transport.insecureSkipVerify)
        #expect(try dev.token?.current() == "s3cret")
    }

    @Test func filesResolveRelativeToTheKubeconfigAndTokenFilesRotate() throws {
        _ = try write("certs/ca.crt", Self.pem)
        _ = try write("certs/client.crt", Self.pem)
        _ = try write("certs/client.key", Self.pem)
        let tokenPath = try write("token", "first\n")
        let path = try write("config", """
            clusters: [{name: c, cluster: {server: "https://c", certificate-authority: certs/ca.crt}}]
            users: [{name: u, user: {client-certificate: certs/client.crt, client-key: \(directory)/certs/client.key, tokenFile: token}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """)
        let config = try Kubeconfig.load(environment: ["KUBECONFIG": path])
        #expect(config.transport.caFile == directory + "/certs/ca.crt")
        #expect(config.transport.clientCertificateFile == directory + "/certs/client.crt")
        #expect(config.transport.clientKeyFile == directory + "/certs/client.key")
        #expect(try config.token?.current() == "first")
        try "second-token".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        #expect(try config.token?.current() == "second-token")
    }

    @Test func mergedListFirstWins() throws {
        let a = try write("a", "clusters: [{name: c, cluster: {server: 'https://a'}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n")
        let b = try write("b", "clusters: [{name: c, cluster: {server: 'https://b'}}, {name: d, cluster: {server: 'https://d'}}]\ncontexts: [{name: y, context: {cluster: d}}]\ncurrent-context: y\n")
        #expect(try Kubeconfig.load(environment: ["KUBECONFIG": "\(a):\(b)"]).server == "https://a")
        #expect(try Kubeconfig.load(context: "y", environment: ["KUBECONFIG": "\(a):\(directory)/missing:\(b)"]).server == "https://d")
    }

    @Test(arguments: [
        ("clusters: [{name: c, cluster: {server: 'https://a'}}]\ncontexts: [{name: x, context: {cluster: c}}]\n", "current-context", "no current context"),
        ("current-context: nope\ncontexts: [{name: x, context: {cluster: c}}]\n", "contexts[nope]", "no such context"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n", "clusters[c]", "no such cluster"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {}}]\n", "clusters[c].cluster.server", "missing"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {client-key-data: '!!notbase64'}}]\n",
         "users[u].user.client-key-data", "not valid base64"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {client-certificate: /nonexistent/c.crt}}]\n",
         "users[u].user.client-certificate", "cannot read /nonexistent/c.crt"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n",
         "users[u].user.exec.apiVersion", "missing"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}}}]\n",
         "users[u].user.exec.interactiveMode", "missing (required by client.authentication.k8s.io/v1)"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Always}}}]\n",
         "users[u].user.exec.interactiveMode", "needs a terminal"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: aws}}}]\n",
         "users[u].user.exec.apiVersion", "not supported"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1}}}]\n",
         "users[u].user.exec.command", "missing"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {token: t, exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}}}]\n",
         "users[u].user", "both a token and an exec plugin"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a'}}]\nusers: [{name: u, user: {auth-provider: {name: gcp}}}]\n",
         "users[u].user.auth-provider", "not supported"),
        ("clusters: {name: c}\n", "clusters", "not a valid kubeconfig"),
        ("# nothing here\n", "", "the kubeconfig is empty"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: 'https://a', insecure-skip-tls-verify: maybe}}]\n",
         "clusters[0].cluster.insecure-skip-tls-verify", "not a valid kubeconfig"),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: 'ftp://a'}}]\n", "clusters[c].cluster.server", "not an http(s) URL"),
    ])
    func errorsNameTheFileAndField(yaml: String, field: String, problem: String) throws {
        let path = try write("bad", yaml)
        #expect {
            _ = try Kubeconfig.load(environment: ["KUBECONFIG": path])
        } throws: { error in
            guard let error = error as? KubeConfigError else { return false }
            return error.file == path && error.field == field && error.problem.contains(problem)
        }
    }

    @Test func withoutKUBECONFIGTheHomeKubeConfigIsRead() throws {
        try FileManager.default.createDirectory(atPath: directory + "/home/.kube", withIntermediateDirectories: true)
        try "clusters: [{name: c, cluster: {server: 'https://home:6443'}}]\ncontexts: [{name: x, context: {cluster: c, namespace: ops}}]\ncurrent-context: x\n"
            .write(toFile: directory + "/home/.kube/config", atomically: true, encoding: .utf8)
        let config = try Kubeconfig.load(environment: ["HOME": directory + "/home"])
        #expect(config.server == "https://home:6443")
        #expect(config.namespace == "ops")
    }

    @Test func missingFileSaysSo() {
        #expect(throws: KubeConfigError.self) { try Kubeconfig.load(environment: ["HOME": directory]) }
    }

    /// The kubelet's projected-volume layout: `token -> ..data/token`, `..data -> ..<timestamp>`; a rotation
    /// writes a new timestamped folder and swaps `..data` atomically, so the `token` link itself never changes.
    @Test func aTokenRotatedBySwappingTheDataSymlinkIsReadAgain() throws {
        let sa = directory + "/projected"
        let files = FileManager.default
        try files.createDirectory(atPath: sa + "/..2026_11_27_10_00_00.1", withIntermediateDirectories: true)
        try "token-one".write(toFile: sa + "/..2026_11_27_10_00_00.1/token", atomically: false, encoding: .utf8)
        try files.createSymbolicLink(atPath: sa + "/..data", withDestinationPath: "..2026_11_27_10_00_00.1")
        try files.createSymbolicLink(atPath: sa + "/token", withDestinationPath: "..data/token")
        let source = TokenSource(file: sa + "/token")
        #expect(try source.current() == "token-one")

        try files.createDirectory(atPath: sa + "/..2026_11_27_10_48_00.2", withIntermediateDirectories: true)
        try "token-two".write(toFile: sa + "/..2026_11_27_10_48_00.2/token", atomically: false, encoding: .utf8)  // same size
        try files.createSymbolicLink(atPath: sa + "/..data_tmp", withDestinationPath: "..2026_11_27_10_48_00.2")
        #expect(rename(sa + "/..data_tmp", sa + "/..data") == 0)
        #expect(try source.current() == "token-two")
    }

    @Test func inClusterReadsTheServiceAccountAndRotatesTheToken() throws {
        let sa = directory + "/sa"
        try FileManager.default.createDirectory(atPath: sa, withIntermediateDirectories: true)
        try "tok-1".write(toFile: sa + "/token", atomically: true, encoding: .utf8)
        try Self.pem.write(toFile: sa + "/ca.crt", atomically: true, encoding: .utf8)
        try "pybak-system\n".write(toFile: sa + "/namespace", atomically: true, encoding: .utf8)
        let config = try InCluster.load(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: sa)
        #expect(config.server == "https://10.0.0.1:443")
        #expect(config.namespace == "pybak-system")
        #expect(config.transport.caFile == sa + "/ca.crt")
        #expect(try config.token?.current() == "tok-1")
        try "tok-2-longer".write(toFile: sa + "/token", atomically: true, encoding: .utf8)
        #expect(try config.token?.current() == "tok-2-longer")
        #expect(try InCluster.load(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1"], directory: sa).server == "https://[fd00::1]:443")
        #expect(throws: KubeConfigError.self) { try InCluster.load(environment: [:], directory: sa) }
        #expect(throws: KubeConfigError.self) { try InCluster.load(environment: ["KUBERNETES_SERVICE_HOST": "h"], directory: directory + "/none") }
    }
}
