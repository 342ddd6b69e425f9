import Foundation

/// Runs a credential plugin once and checks its answer.
struct ExecCredentialRunner {
    let settings: ExecCredentialPlugin.Settings
    let cluster: ExecCredentialRequest.Cluster
    let timeout: Double

    /// The plugin's credential and when it expires.
    func run() throws -> (ExecCredential.Status, Date?) {
        let output = try execute()
        return try parse(output)
    }

    private func fail(_ problem: String, hint: Bool = false) -> ExecCredentialError {
        let remedy =
            hint
            ? (settings.installHint.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "install it, or fix users[].user.exec.command")
            : "fix the plugin or its kubeconfig entry (it must print an ExecCredential \(settings.apiVersion) with status.token or client certificate data)"
        return ExecCredentialError(command: settings.command, origin: settings.origin, problem: problem, remedy: remedy)
    }

    /// The environment: ours, the entry's `env`, and `KUBERNETES_EXEC_INFO`.
    func environment() throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for variable in settings.env { environment[variable.name] = variable.value }
        let request = ExecCredentialRequest(
            apiVersion: settings.apiVersion, spec: .init(interactive: false, cluster: settings.provideClusterInfo ? cluster : nil))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        environment["KUBERNETES_EXEC_INFO"] = String(decoding: try encoder.encode(request), as: UTF8.self)
        return environment
    }

    /// The executable: a path as given, or the first match on `PATH`.
    func executable(environment: [String: String]) throws -> String {
        if settings.command.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: settings.command) else {
                throw fail("\(settings.command) is not an executable file", hint: true)
            }
            return settings.command
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(settings.command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw fail("not found on PATH (\(path))", hint: true)
    }

    /// Runs the command with no stdin, its output in temporary files, killed after `timeout` seconds.
    private func execute() throws -> [UInt8] {
        let environment = try environment()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(environment: environment))
        process.arguments = settings.args
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pybak-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path
        FileManager.default.createFile(atPath: outPath, contents: nil, attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: errPath, contents: nil, attributes: [.posixPermissions: 0o600])
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw fail("cannot create temporary files for its output in \(folder.path)")
        }
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw fail("cannot be started: \(error.localizedDescription)", hint: true)
        }
        try? out.close()
        try? err.close()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            throw fail("did not finish within \(Int(timeout)) s and was stopped (it must not wait for input)")
        }
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            let said = stderr.isEmpty ? "" : ": \(String(stderr.suffix(600)))"
            throw fail(how + said, hint: true)
        }
        return [UInt8](FileManager.default.contents(atPath: outPath) ?? Data())
    }

    /// Checks the printed `ExecCredential`.
    func parse(_ output: [UInt8]) throws -> (ExecCredential.Status, Date?) {
        let credential: ExecCredential
        do {
            credential = try JSONDecoder().decode(ExecCredential.self, from: Data(output))
        } catch {
            let start = String(decoding: output.prefix(120), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw fail("printed something that is not an ExecCredential in JSON (\(Self.why(error))); it printed \"\(start)\"")
        }
        guard credential.kind == "ExecCredential" else { throw fail("printed kind \"\(credential.kind ?? "")\", not ExecCredential") }
        guard credential.apiVersion == settings.apiVersion else {
            throw fail("printed apiVersion \"\(credential.apiVersion ?? "")\" but \(settings.apiVersion) was asked for")
        }
        guard let status = credential.status else { throw fail("printed no status") }
        let hasToken = !(status.token ?? "").isEmpty
        let hasCertificate = !(status.clientCertificateData ?? "").isEmpty
        guard hasCertificate == !(status.clientKeyData ?? "").isEmpty else {
            throw fail("printed status.clientCertificateData without status.clientKeyData or the reverse (both are needed)")
        }
        guard hasToken || hasCertificate else { throw fail("printed neither status.token nor status.clientCertificateData") }
        var expiry: Date?
        if let text = status.expirationTimestamp {
            guard let date = Self.parseTime(text) else { throw fail("printed status.expirationTimestamp \"\(text)\", which is not an RFC 3339 time") }
            expiry = date
        }
        return (status, expiry)
    }

    /// A decoding failure in a few words (Foundation's own text says nothing).
    static func why(_ error: Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted?: return "not valid JSON"
        case .typeMismatch(let type, let context)?, .valueNotFound(let type, let context)?:
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is not a \(type)"
        default: return "\(error)"
        }
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
