/// Why one stored copy could not be restored or verified. Says what happened to which copy.
public struct RecoveryError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure, for counts and exit codes.
    public enum Kind: String, Sendable, Codable {
        /// The copy is not in the store.
        case missing
        /// The copy is there but its bytes are wrong (gzip, decryption or hash).
        case corrupt
        /// The copy needs a key that was not given, or a different one.
        case key
        /// The target file exists and `--overwrite` was not given.
        case exists
        /// Reading the store or writing the target failed.
        case io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
