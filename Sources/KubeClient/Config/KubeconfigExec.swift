import Foundation

/// Checks a kubeconfig's `users[].user.exec` entry as kubectl does, and turns it into plugin settings.
enum KubeconfigExec {
    /// The API versions of `ExecCredential` understood (same shape).
    static let versions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// - Parameters:
    ///   - exec: the entry.
    ///   - field: `users[NAME].user.exec`, for messages.
    ///   - path: the kubeconfig file (relative command paths are resolved against its folder).
    /// - Throws: `KubeConfigError` naming the field at fault.
    static func settings(_ exec: KubeconfigFile.ExecConfig, field: String, path: String) throws -> ExecCredentialPlugin.Settings {
        guard var command = exec.command, !command.isEmpty else {
            throw KubeConfigError(file: path, field: "\(field).command", problem: "missing", remedy: "name the credential plugin's command")
        }
        guard let apiVersion = exec.apiVersion, !apiVersion.isEmpty else {
            throw KubeConfigError(file: path, field: "\(field).apiVersion", problem: "missing", remedy: "set client.authentication.k8s.io/v1")
        }
        guard versions.contains(apiVersion) else {
            throw KubeConfigError(file: path, field: "\(field).apiVersion", problem: "\"\(apiVersion)\" is not supported", remedy: "use one of: \(versions.joined(separator: ", "))")
        }
        switch exec.interactiveMode {
        case nil where apiVersion.hasSuffix("/v1"):
            throw KubeConfigError(file: path, field: "\(field).interactiveMode", problem: "missing (required by \(apiVersion))", remedy: "set Never or IfAvailable")
        case nil, "Never", "IfAvailable": break
        case "Always":
            throw KubeConfigError(
                file: path, field: "\(field).interactiveMode", problem: "Always needs a terminal, which pybak never has", remedy: "use a plugin that works with Never or IfAvailable")
        case let other?:
            throw KubeConfigError(file: path, field: "\(field).interactiveMode", problem: "\"\(other)\" is not Never, IfAvailable or Always", remedy: "set Never or IfAvailable")
        }
        var env: [(name: String, value: String)] = []
        for (index, variable) in (exec.env ?? []).enumerated() {
            guard let name = variable.name, !name.isEmpty else {
                throw KubeConfigError(file: path, field: "\(field).env[\(index)].name", problem: "missing", remedy: "name the variable")
            }
            env.append((name: name, value: variable.value ?? ""))
        }
        if command.contains("/"), !command.hasPrefix("/") {
            command = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(command).standardizedFileURL.path
        }
        return ExecCredentialPlugin.Settings(
            command: command, args: exec.args ?? [], env: env, apiVersion: apiVersion, installHint: exec.installHint,
            provideClusterInfo: exec.provideClusterInfo ?? false, origin: "kubeconfig \(path) \(field)")
    }
}
