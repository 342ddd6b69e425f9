/// A failure inside a compression or hashing stream.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with zlib's own message where there is one.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
