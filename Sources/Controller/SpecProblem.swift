/// One thing wrong with a BackupPolicy's spec: the field and what to do about it.
public struct SpecProblem: Sendable, Equatable, CustomStringConvertible {
    /// The field path, like `spec.schedule`.
    public var field: String
    /// What is wrong and what to write instead.
    public var message: String

    /// Creates a problem.
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
