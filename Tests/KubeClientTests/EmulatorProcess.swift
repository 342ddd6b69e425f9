import Foundation
import KubeClient
import PyBakCore
import Transport

/// One Kubernetes API emulator (Tests/KubeEmulator) started for a test on a free loopback port, with its kubeconfig.
/// It is stopped by `stop()` or, at the latest, when this test process ends (a shell wrapper watches our pipe).
final class EmulatorProcess: @unchecked Sendable {
    let url: String
    let kubeconfig: String
    let directory: String
    private let process: Process

    /// Starts an emulator with extra command-line flags (`--tls`, `--token T`, `--history N`, ...).
    init(_ flags: [String] = []) throws {
        let root = Self.root
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-emulator-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        kubeconfig = directory + "/kubeconfig"
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.python())
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.arguments = ["-m", "kube_emulator", "--port", "0", "--kubeconfig", kubeconfig, "--volume-root", directory + "/volumes"] + flags
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        // Not our stderr: a child holding it open would keep `swift test` waiting after the tests end.
        FileManager.default.createFile(atPath: directory + "/emulator.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory + "/emulator.log")
        try process.run()
        EmulatorReaper.register(process.processIdentifier)
        var line = [UInt8]()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { throw EmulatorError(message: "the emulator exited before printing its URL (is PyYAML installed? see Tests/KubeEmulator/requirements.txt)") }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        url = String(decoding: line, as: UTF8.self)
    }

    deinit { stop() }

    /// Tests/KubeEmulator, where `python3 -m kube_emulator` runs.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("KubeEmulator").path

    /// The real interpreter behind `python3` (a pyenv shim would fork, and killing the shim would orphan the emulator).
    static func python() throws -> String {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sys; print(sys.executable)"]
        let output = Pipe()
        probe.standardOutput = output
        try probe.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard probe.terminationStatus == 0, !path.isEmpty else { throw EmulatorError(message: "python3 is missing; the emulator tests need it") }
        return path
    }

    /// Stops the emulator.
    func stop() {
        EmulatorReaper.kill(process.processIdentifier)
    }

    /// A client configured from the emulator's kubeconfig.
    func client(retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 1)) throws -> KubeAPI {
        KubeAPI(config: try Kubeconfig.load(environment: ["KUBECONFIG": kubeconfig]), readRetry: retry)
    }

    /// Posts to an admin endpoint (`faults`, `history`, `tokens`, ...) and returns the JSON answer.
    @discardableResult
    func admin(_ endpoint: String, _ body: String, method: String = "POST") throws -> JSONValue {
        let request = HTTPRequest(
            method: method, url: "\(url)/_emulator/\(endpoint)", headers: [(name: "Content-Type", value: "application/json")],
            body: body.isEmpty ? .none : .bytes(Array(body.utf8)))
        let client = HTTPClient(options: TransportOptions(insecureSkipVerify: true))
        let response = try client.send(request).requireSuccess(for: request)
        return try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    /// Registers the test CRD `widgets.test.pybak.io` (spec.size required integer 1..10, spec.color enum with a
    /// default, status subresource).
    func installWidgetCRD(api: KubeAPI) async throws {
        let crd = try JSONDecoder().decode(JSONValue.self, from: Data(Widget.crd.utf8))
        _ = try await api.create(Self.crdType, body: crd, as: JSONValue.self)
    }

    static let crdType = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", isNamespaced: false)
}

/// Kills every emulator still running when the test process exits (shared ones are never deinitialised).
enum EmulatorReaper {
    nonisolated(unsafe) private static var pids: Set<Int32> = []
    private static let lock = NSLock()
    private static let installed: Bool = {
        atexit { EmulatorReaper.killAll() }
        return true
    }()

    static func register(_ pid: Int32) {
        _ = installed
        lock.withLock { _ = pids.insert(pid) }
    }

    static func kill(_ pid: Int32) {
        let known = lock.withLock { pids.remove(pid) != nil }
        if known { _ = Glibc.kill(pid, SIGKILL) }
    }

    static func killAll() {
        for pid in lock.withLock({ pids }) { _ = Glibc.kill(pid, SIGKILL) }
    }
}

struct EmulatorError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
