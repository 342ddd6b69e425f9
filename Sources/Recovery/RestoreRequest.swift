/// What `pybak restore` is asked to bring back, and where.
public struct RestoreRequest: Sendable, Equatable {
    /// Which catalogued files.
    public enum Selector: Sendable, Equatable {
        /// The newest version of every path.
        case all
        /// One source path (relative to the source folder), or every path with this file name.
        case path(String)
        /// Every file a run catalogued.
        case run(Int64)
        /// The newest version of every path under a folder.
        case prefix(String)
    }

    public var selector: Selector
    /// Versions catalogued at or before this catalog time; nil: the newest.
    public var at: String?
    /// Only this policy's files; nil: every policy in the catalog.
    public var policy: String?
    /// The folder files are restored into, under their original relative paths.
    public var target: String
    /// Replace files that exist in the target.
    public var overwrite: Bool

    public init(selector: Selector, at: String? = nil, policy: String? = nil, target: String, overwrite: Bool = false) {
        self.selector = selector
        self.at = at
        self.policy = policy
        self.target = target
        self.overwrite = overwrite
    }
}

/// What became of one file of a restore.
public struct RestoreItem: Sendable, Equatable, Codable {
    /// The original relative path.
    public var path: String
    /// The stored copy it came from.
    public var storedPath: String
    /// The run that catalogued it.
    public var runId: Int64
    /// Bytes restored.
    public var size: Int64
    /// Where the copy was read: `local`, or the cloud object (`s3://bucket/key`); nil when not restored.
    public var from: String?
    /// nil when restored; else why not.
    public var error: String?
    /// The kind of failure.
    public var errorKind: RecoveryError.Kind?
}
