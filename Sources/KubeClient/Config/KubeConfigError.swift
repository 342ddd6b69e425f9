/// A configuration that cannot be used: which file, which field, what is wrong, and what to do.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kubeconfig or in-cluster file.
    public var file: String
    /// The field (`users[admin].user.client-key-data`), or empty for the whole file.
    public var field: String
    /// What is wrong.
    public var problem: String
    /// What to do.
    public var remedy: String

    /// Creates an error.
    public init(file: String, field: String, problem: String, remedy: String) {
        self.file = file
        self.field = field
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        let place = field.isEmpty ? file : "\(file): \(field)"
        return "\(place): \(problem); \(remedy)"
    }
}
