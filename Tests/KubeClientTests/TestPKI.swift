import Foundation

/// Client certificates for mTLS tests, made by the emulator's `python3 -m kube_emulator.pki` with the openssl CLI:
/// the client CA, `admin` (CN=admin, O=system:masters), `viewer` (CN=viewer, O=viewers) and `stranger`
/// (CN=admin, O=system:masters, issued by another CA).
struct TestPKI {
    let directory: String

    /// Makes the CA and certificates in a new temporary folder.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-pki-\(UUID().uuidString)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try EmulatorProcess.python())
        process.currentDirectoryURL = URL(fileURLWithPath: EmulatorProcess.root)
        process.arguments = ["-m", "kube_emulator.pki", directory]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw EmulatorError(message: "kube_emulator.pki failed (openssl and Python cryptography are needed)") }
    }

    /// `NAME.crt`.
    func certificate(_ name: String) -> String { "\(directory)/\(name).crt" }
    /// `NAME.key`.
    func key(_ name: String) -> String { "\(directory)/\(name).key" }
}

/// Writes a kubeconfig for `server` (trusting `caFile`) whose user entry is the YAML flow mapping `user`.
func writeKubeconfig(in directory: String, name: String, server: String, caFile: String, user: String) throws -> String {
    let path = "\(directory)/\(name).kubeconfig"
    let text = """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{name: e, cluster: {server: '\(server)', certificate-authority: '\(caFile)'}}]
        contexts: [{name: c, context: {cluster: e, user: u, namespace: default}}]
        users: [{name: u, user: \(user)}]

        """
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
