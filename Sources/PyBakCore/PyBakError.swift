/// An error that reaches a user: what happened, to which input, and what to do.
///
/// Modelled on postgres-nio's `PSQLError`: a struct with a nested `Code` so the set
/// of codes can grow without breaking callers.
public struct PyBakError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure; decides the process exit code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        /// Bad flags or arguments.
        public static let usage = Code(raw: "usage")
        /// An invalid configuration file or value.
        public static let config = Code(raw: "config")
        /// The source folder is missing, unreadable or not a folder.
        public static let source = Code(raw: "source")
        /// The destination folder is missing, not writable, or badly placed.
        public static let destination = Code(raw: "destination")
        /// The catalog cannot be opened, migrated or written.
        public static let catalog = Code(raw: "catalog")
        /// Another pass holds the lock for this destination.
        public static let busy = Code(raw: "busy")
        /// An I/O failure not tied to one file.
        public static let io = Code(raw: "io")
        /// Anything else.
        public static let `internal` = Code(raw: "internal")
        public var description: String { raw }
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence naming the input and what to do about it.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: what happened, to which input, and what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The exit code a command returns for this error (see README, "Exit codes").
    public var exitCode: Int32 {
        switch code {
        case .usage, .config: return ExitStatus.badUsage
        case .busy: return ExitStatus.busy
        default: return ExitStatus.failed
        }
    }
}

/// The documented process exit codes.
public enum ExitStatus {
    /// Every file was handled.
    public static let ok: Int32 = 0
    /// The pass could not run or stopped early.
    public static let failed: Int32 = 1
    /// Bad usage or configuration.
    public static let badUsage: Int32 = 2
    /// Some files failed; the rest were done.
    public static let partial: Int32 = 3
    /// Another pass holds the destination's lock; nothing was done.
    public static let busy: Int32 = 4
}
