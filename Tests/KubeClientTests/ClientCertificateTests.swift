import Foundation
import Testing

@testable import KubeClient

/// Client-certificate (mTLS) authentication against the emulator started with `--client-ca`: the certificate's
/// CN is the user and its O values the groups, as the real API server maps them.
@Suite(.serialized) struct ClientCertificateTests {
    @Test func embeddedCertificateDataAndCertificateFilesAuthenticate() async throws {
        let pki = try TestPKI()
        let emulator = try EmulatorProcess([
            "--tls", "--cert-dir", pki.directory + "/server", "--client-ca", pki.certificate("ca"),
            "--kubeconfig-client-cert", pki.certificate("admin"), "--kubeconfig-client-key", pki.key("admin"),
        ])
        defer { emulator.stop() }
        let embedded = try Kubeconfig.load(environment: ["KUBECONFIG": emulator.kubeconfig])
        #expect(embedded.transport.clientCertificatePEM != nil && embedded.transport.clientKeyPEM != nil && embedded.token == nil)
        let admin = KubeAPI(config: embedded, readRetry: .none)
        _ = try await admin.create(ConfigMap(name: "by-certificate", data: ["a": "1"]))
        #expect(try await admin.get(ConfigMap.self, name: "by-certificate").data == ["a": "1"])

        // The same with file paths, relative to the kubeconfig's folder.
        let files = try writeKubeconfig(
            in: pki.directory, name: "files", server: emulator.url, caFile: "server/tls.crt", user: "{client-certificate: admin.crt, client-key: admin.key}")
        let fromFiles = try Kubeconfig.load(environment: ["KUBECONFIG": files])
        #expect(fromFiles.transport.clientCertificateFile == pki.certificate("admin"))
        #expect(try await KubeAPI(config: fromFiles).list(ConfigMap.self).items.map(\.metadata.name) == ["by-certificate"])

        // CN = user: the viewer's certificate is authenticated, and its identity is what RBAC denies.
        let viewerFile = try writeKubeconfig(
            in: pki.directory, name: "viewer", server: emulator.url, caFile: "server/tls.crt", user: "{client-certificate: viewer.crt, client-key: viewer.key}")
        let viewer = KubeAPI(config: try Kubeconfig.load(environment: ["KUBECONFIG": viewerFile]), readRetry: .none)
        await #expect {
            _ = try await viewer.list(ConfigMap.self)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .forbidden && error.message.contains(#"User "viewer" cannot list resource "configmaps""#)
        }
        // O = groups: rules given to the group "viewers" apply to it.
        try emulator.admin("users", #"{"group": "viewers", "rules": [{"verbs": ["list"], "apiGroups": [""], "resources": ["configmaps"]}]}"#)
        #expect(try await viewer.list(ConfigMap.self).items.count == 1)
    }

    @Test func anUntrustedCertificateIsRefusedNamingTheServerAndTheCause() async throws {
        let pki = try TestPKI()
        let emulator = try EmulatorProcess(["--tls", "--cert-dir", pki.directory + "/server", "--client-ca", pki.certificate("ca")])
        defer { emulator.stop() }
        let path = try writeKubeconfig(
            in: pki.directory, name: "stranger", server: emulator.url, caFile: "server/tls.crt", user: "{client-certificate: stranger.crt, client-key: stranger.key}")
        let stranger = KubeAPI(config: try Kubeconfig.load(environment: ["KUBECONFIG": path]), readRetry: .none)
        await #expect {
            _ = try await stranger.list(ConfigMap.self)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            let text = error.description
            return error.code == .unauthorized && error.httpStatus == 401 && error.reason == "Unauthorized"
                && text.contains(emulator.url + "/api/v1/namespaces/default/configmaps")
                && text.contains("not accepted: the client certificate of kubeconfig \(path) context c")
                && text.contains("issued by the cluster's client CA")
        }
        let anonymous = try writeKubeconfig(in: pki.directory, name: "anonymous", server: emulator.url, caFile: "server/tls.crt", user: "{}")
        await #expect {
            _ = try await KubeAPI(config: try Kubeconfig.load(environment: ["KUBECONFIG": anonymous]), readRetry: .none).list(ConfigMap.self)
        } throws: { error in
            (error as? KubeError)?.code == .unauthorized && "\(error)".contains("not accepted: no credentials (kubeconfig \(anonymous) context c has no token")
        }
    }
}
