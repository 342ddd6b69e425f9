import Foundation
import Synchronization
import Testing

@testable import KubeClient

/// Credential plugins (`users[].user.exec`) against the emulator: a small Python plugin prints an ExecCredential
/// with the token (or client certificate) the test gives it, and counts its runs.
@Suite(.serialized) struct ExecPluginTests {
    static let plugin = #"""
        #!/usr/bin/env python3
        import datetime, json, os, sys
        folder = os.environ["PLUGIN_DIR"]
        runs = os.path.join(folder, "runs")
        count = int(open(runs).read()) + 1 if os.path.exists(runs) else 1
        open(runs, "w").write(str(count))
        open(os.path.join(folder, "exec-info"), "w").write(os.environ.get("KUBERNETES_EXEC_INFO", ""))
        open(os.path.join(folder, "args"), "w").write(json.dumps(sys.argv[1:]))
        mode = os.environ.get("PLUGIN_MODE", "token")
        if mode == "fail":
            print("no credentials for profile 'test': run the login first", file=sys.stderr)
            sys.exit(3)
        if mode == "hang":
            import time
            time.sleep(30)
        if mode == "garbage":
            print("<html>please log in</html>")
            sys.exit(0)
        status = {}
        if mode == "token":
            status["token"] = open(os.path.join(folder, "token")).read().strip()
        if mode == "cert":
            status["clientCertificateData"] = open(os.environ["PLUGIN_CERT"]).read()
            status["clientKeyData"] = open(os.environ["PLUGIN_KEY"]).read()
        if os.environ.get("PLUGIN_TTL"):
            expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(os.environ["PLUGIN_TTL"]))
            status["expirationTimestamp"] = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
        version = os.environ.get("PLUGIN_VERSION", "client.authentication.k8s.io/v1")
        print(json.dumps({"apiVersion": version, "kind": "ExecCredential", "status": status}))

        """#

    /// A TLS emulator requiring `token`, a plugin in a folder of its own, and a kubeconfig running it (`./plugin.py`).
    struct Setup {
        let emulator: EmulatorProcess
        let folder: String
        let kubeconfig: String

        init(mode: String = "token", extraEnv: String = "", command: String = "./plugin.py", emulatorFlags: [String] = ["--token", "first-token"]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("kube-exec-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            emulator = try EmulatorProcess(["--tls", "--cert-dir", folder + "/server"] + emulatorFlags)
            try ExecPluginTests.plugin.write(toFile: folder + "/plugin.py", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/plugin.py")
            try "first-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
            let exec = """
                {exec: {apiVersion: client.authentication.k8s.io/v1, command: '\(command)', args: [--profile, test], interactiveMode: Never,
                  provideClusterInfo: true, installHint: 'Install the test plugin: see Tests/KubeClientTests/ExecPluginTests.swift',
                  env: [{name: PLUGIN_DIR, value: '\(folder)'}, {name: PLUGIN_MODE, value: \(mode)}\(extraEnv)]}}
                """
            kubeconfig = try writeKubeconfig(in: folder, name: "exec", server: emulator.url, caFile: "server/tls.crt", user: exec)
        }

        var runs: Int { Int((try? String(contentsOfFile: folder + "/runs", encoding: .utf8)) ?? "0") ?? 0 }

        func setToken(_ token: String) throws { try "\(token)\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8) }

        func config() throws -> KubeClientConfig { try Kubeconfig.load(environment: ["KUBECONFIG": kubeconfig]) }
    }

    @Test func theTokenIsCachedUntilItExpiresThenFetchedAgain() async throws {
        let setup = try Setup(extraEnv: ", {name: PLUGIN_TTL, value: '60'}")
        defer { setup.emulator.stop() }
        var config = try setup.config()
        let plugin = try #require(config.exec)
        #expect(plugin.settings.command == setup.folder + "/plugin.py" && plugin.settings.args == ["--profile", "test"])
        let clock = Mutex(Date())
        config.exec = ExecCredentialPlugin(
            settings: plugin.settings, server: setup.emulator.url, certificateAuthority: config.transport.caPEM ?? Array(FileManager.default.contents(atPath: setup.folder + "/server/tls.crt")!),
            now: { clock.withLock { $0 } })
        let api = KubeAPI(config: config, readRetry: .none)
        _ = try await api.create(ConfigMap(name: "x"))
        _ = try await api.get(ConfigMap.self, name: "x")
        _ = try await api.list(ConfigMap.self)
        #expect(setup.runs == 1)
        clock.withLock { $0 = $0.addingTimeInterval(61) }
        _ = try await api.get(ConfigMap.self, name: "x")
        #expect(setup.runs == 2)

        let info = try JSONDecoder().decode(JSONValueBox.self, from: Data(contentsOf: URL(fileURLWithPath: setup.folder + "/exec-info")))
        #expect(info.apiVersion == "client.authentication.k8s.io/v1" && info.kind == "ExecCredential")
        #expect(info.spec.interactive == false && info.spec.cluster?.server == setup.emulator.url)
        #expect(info.spec.cluster?.certificateAuthorityData?.isEmpty == false)
        #expect(try String(contentsOfFile: setup.folder + "/args", encoding: .utf8) == #"["--profile", "test"]"#)
    }

    @Test func a401RunsThePluginAgainForCallsAndWatches() async throws {
        let setup = try Setup()
        defer { setup.emulator.stop() }
        let api = KubeAPI(config: try setup.config(), readRetry: .none)
        _ = try await api.create(ConfigMap(name: "x"))
        #expect(setup.runs == 1)
        // The server stops accepting the token; the plugin now hands out a new one.
        try setup.emulator.admin("faults", #"{"rejectToken": "first-token"}"#)
        try setup.emulator.admin("tokens", #"{"token": "second-token", "user": "admin", "groups": ["system:masters"]}"#)
        try setup.setToken("second-token")
        #expect(try await api.get(ConfigMap.self, name: "x").metadata.name == "x")
        #expect(setup.runs == 2)
        _ = try await api.update(ConfigMap(name: "x", data: ["a": "b"]))
        #expect(setup.runs == 2)

        try setup.emulator.admin("faults", #"{"rejectToken": "second-token"}"#)
        try setup.emulator.admin("tokens", #"{"token": "third-token", "user": "admin", "groups": ["system:masters"]}"#)
        try setup.setToken("third-token")
        let stream = api.watch(ConfigMap.self, options: WatchOptions(timeoutSeconds: 10))
        let events = try await WatchTests.collect(stream, count: 1)
        #expect(events.map { $0.object?.metadata.name } == ["x"])
        #expect(setup.runs == 3)

        // A plugin whose fresh token is refused too: the second 401 reaches the caller.
        try setup.emulator.admin("faults", #"{"rejectToken": "third-token"}"#)
        await #expect { _ = try await api.get(ConfigMap.self, name: "x") } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .unauthorized && error.description.contains("the credential from plugin '\(setup.folder)/plugin.py'")
        }
        #expect(setup.runs == 4)
    }

    @Test func aPluginCanGiveAClientCertificate() async throws {
        let pki = try TestPKI()
        let setup = try Setup(
            mode: "cert", extraEnv: ", {name: PLUGIN_CERT, value: '\(pki.certificate("admin"))'}, {name: PLUGIN_KEY, value: '\(pki.key("admin"))'}",
            emulatorFlags: ["--client-ca", pki.certificate("ca")])
        defer { setup.emulator.stop() }
        let api = KubeAPI(config: try setup.config(), readRetry: .none)
        _ = try await api.create(ConfigMap(name: "by-plugin-certificate"))
        #expect(try await api.list(ConfigMap.self).items.map(\.metadata.name) == ["by-plugin-certificate"])
        #expect(setup.runs == 1)
    }

    @Test(arguments: [
        ("fail", "./plugin.py", ["exited with status 3: no credentials for profile 'test': run the login first", "Install the test plugin"]),
        ("garbage", "./plugin.py", ["not an ExecCredential in JSON (not valid JSON)", #"it printed "<html>please log in</html>""#]),
        ("token", "pybak-no-such-plugin", ["'pybak-no-such-plugin'", "not found on PATH", "Install the test plugin"]),
    ])
    func aFailingPluginIsAClearError(mode: String, command: String, expected: [String]) async throws {
        let setup = try Setup(mode: mode, command: command)
        defer { setup.emulator.stop() }
        let api = KubeAPI(config: try setup.config(), readRetry: .none)
        await #expect {
            _ = try await api.list(ConfigMap.self)
        } throws: { error in
            guard let error = error as? KubeError, error.code == .unauthorized else { return false }
            let text = error.description
            return text.contains("credential plugin '") && text.contains("users[u].user.exec") && expected.allSatisfy { text.contains($0) }
        }
    }

    @Test func aHangingPluginIsStoppedAfterItsTimeLimit() async throws {
        let setup = try Setup(mode: "hang")
        defer { setup.emulator.stop() }
        var config = try setup.config()
        let plugin = try #require(config.exec)
        config.exec = ExecCredentialPlugin(settings: plugin.settings, server: setup.emulator.url, timeout: 1)
        let started = Date()
        await #expect {
            _ = try await KubeAPI(config: config, readRetry: .none).list(ConfigMap.self)
        } throws: { error in
            "\(error)".contains("did not finish within 1 s and was stopped (it must not wait for input)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aWrongAPIVersionIsRefused() async throws {
        let setup = try Setup(extraEnv: ", {name: PLUGIN_VERSION, value: client.authentication.k8s.io/v1beta1}")
        defer { setup.emulator.stop() }
        await #expect {
            _ = try await KubeAPI(config: try setup.config(), readRetry: .none).list(ConfigMap.self)
        } throws: { error in
            "\(error)".contains(#"printed apiVersion "client.authentication.k8s.io/v1beta1" but client.authentication.k8s.io/v1 was asked for"#)
        }
    }
}

/// `KUBERNETES_EXEC_INFO` as the plugin saw it.
private struct JSONValueBox: Decodable {
    struct Spec: Decodable {
        struct Cluster: Decodable {
            var server: String
            var certificateAuthorityData: String?
            enum CodingKeys: String, CodingKey {
                case server
                case certificateAuthorityData = "certificate-authority-data"
            }
        }
        var interactive: Bool
        var cluster: Cluster?
    }
    var apiVersion: String
    var kind: String
    var spec: Spec
}
