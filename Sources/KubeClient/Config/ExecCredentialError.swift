/// A credential plugin that could not give a credential: which command (from which kubeconfig entry), what
/// went wrong, and what to do (the entry's `installHint` when the command is missing or fails).
public struct ExecCredentialError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The command as written in the kubeconfig.
    public var command: String
    /// Where the entry is (`kubeconfig /path users[u].user.exec`).
    public var origin: String
    /// What went wrong (exit status and the end of stderr, bad JSON, ...).
    public var problem: String
    /// What to do.
    public var remedy: String

    /// Creates an error.
    public init(command: String, origin: String, problem: String, remedy: String) {
        self.command = command
        self.origin = origin
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        "credential plugin '\(command)' (\(origin)): \(problem); \(remedy)"
    }
}
