/// How a run was started.
public enum RunTrigger: String, Sendable, Codable {
    case manual, schedule, api
}

/// The result of a run.
public enum RunStatus: String, Sendable, Codable {
    /// Still going (or killed before it could say otherwise).
    case running
    /// Every file handled.
    case succeeded
    /// Some files failed, the rest done.
    case partial
    /// The pass could not run or stopped early.
    case failed
}

/// Counts of one run.
public struct RunCounts: Sendable, Equatable, Codable {
    public var compressed = 0
    public var duplicate = 0
    public var skipped = 0
    public var failed = 0
    public var unchanged = 0
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0

    /// All zero.
    public init() {}

    /// Compressed size over original size of the compressed files; nil when nothing was compressed.
    public var ratio: Double? {
        bytesOut > 0 ? Double(bytesIn) / Double(bytesOut) : nil
    }
}

/// A row of `runs`.
public struct RunRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var policy: String
    public var trigger: RunTrigger
    /// ISO 8601 UTC.
    public var startedAt: String
    /// ISO 8601 UTC, nil while running.
    public var finishedAt: String?
    /// The stamp in output names of this run.
    public var passStamp: String
    public var status: RunStatus
    public var counts: RunCounts
    /// Why the run failed, when it did.
    public var error: String?
    /// The host (or Pod) that ran it.
    public var host: String
}

/// Whether a catalogued file holds its own stored copy or points at an earlier one.
public enum FileKind: String, Sendable, Codable {
    /// Content stored by this row.
    case stored
    /// Content already stored; `destinationPath` is the existing copy.
    case duplicate
}

/// Whether the stored copy is in place.
public enum FileState: String, Sendable, Codable {
    /// Intent recorded; the copy may not be renamed into place yet (crash window).
    case pending
    /// The copy is durable at `destinationPath`.
    case stored
}

/// What happened, or is to happen, to the source file.
public enum SourceDisposition: String, Sendable, Codable {
    /// To be removed once the row is stored.
    case remove
    /// Removed.
    case removed
    /// Left in place on purpose (copy mode).
    case kept
    /// Changed or gone before it could be removed; nothing was deleted.
    case changed
}

/// A file about to be catalogued.
public struct NewFile: Sendable, Equatable {
    public var policy: String
    public var runId: Int64
    /// Relative to the source folder.
    public var sourcePath: String
    public var size: Int64
    /// Nanoseconds since the epoch.
    public var mtimeNanos: Int64
    /// Lower-case hex.
    public var sha256: String
    /// Relative to the destination folder.
    public var destinationPath: String
    public var storedSize: Int64
    public var kind: FileKind
    public var duplicateOf: Int64?
    public var sourceDevice: Int64
    public var sourceInode: Int64
    public var disposition: SourceDisposition
    /// The fingerprint of the key the stored copy is encrypted with; nil when not encrypted.
    public var keyId: String?
    /// The member's name inside the archive at `destinationPath` (zip, tar.gz); nil for a `.gz` copy of its own.
    public var archiveMember: String?

    public init(
        policy: String, runId: Int64, sourcePath: String, size: Int64, mtimeNanos: Int64, sha256: String,
        destinationPath: String, storedSize: Int64, kind: FileKind, duplicateOf: Int64?, sourceDevice: Int64,
        sourceInode: Int64, disposition: SourceDisposition, keyId: String? = nil, archiveMember: String? = nil
    ) {
        self.keyId = keyId
        self.archiveMember = archiveMember
        self.policy = policy
        self.runId = runId
        self.sourcePath = sourcePath
        self.size = size
        self.mtimeNanos = mtimeNanos
        self.sha256 = sha256
        self.destinationPath = destinationPath
        self.storedSize = storedSize
        self.kind = kind
        self.duplicateOf = duplicateOf
        self.sourceDevice = sourceDevice
        self.sourceInode = sourceInode
        self.disposition = disposition
    }
}

/// A row of `files`.
public struct FileRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var policy: String
    public var runId: Int64
    public var sourcePath: String
    public var size: Int64
    public var mtimeNanos: Int64
    public var sha256: String
    public var destinationPath: String
    public var storedSize: Int64
    public var kind: FileKind
    public var duplicateOf: Int64?
    public var state: FileState
    public var sourceDevice: Int64
    public var sourceInode: Int64
    public var disposition: SourceDisposition
    /// ISO 8601 UTC.
    public var createdAt: String
    /// The fingerprint of the key the stored copy is encrypted with; nil when not encrypted.
    public var keyId: String? = nil
    /// When `pybak verify` last read the stored copy (ISO 8601 UTC); nil when never.
    public var verifiedAt: String? = nil
    /// What that verification found wrong; nil when it passed (or never ran).
    public var verifyError: String? = nil
    /// When `pybak prune` removed this version (and its copy, unless shared); nil while kept.
    public var prunedAt: String? = nil
    /// The member's name inside the archive at `destinationPath` (zip, tar.gz); nil for a `.gz` copy of its own.
    public var archiveMember: String? = nil
}

/// What a run did not store, and why.
public struct RunProblem: Sendable, Equatable, Codable {
    /// `skipped` (left for a later pass or not a regular file) or `failed`.
    public enum Outcome: String, Sendable, Codable {
        case skipped, failed
    }
    public var runId: Int64
    /// Relative to the source folder.
    public var path: String
    public var outcome: Outcome
    public var reason: String

    public init(runId: Int64, path: String, outcome: Outcome, reason: String) {
        self.runId = runId
        self.path = path
        self.outcome = outcome
        self.reason = reason
    }
}

/// A row of `logs`.
public struct LogRecord: Sendable, Equatable, Codable {
    /// The row id (increasing in insertion order); nil before the line is stored.
    public var id: Int64?
    /// ISO 8601 UTC with milliseconds.
    public var time: String
    public var level: String
    public var runId: Int64?
    public var policy: String?
    public var message: String
    /// Structured metadata as a JSON object text.
    public var metadata: String

    public init(time: String, level: String, runId: Int64?, policy: String?, message: String, metadata: String, id: Int64? = nil) {
        self.id = id
        self.time = time
        self.level = level
        self.runId = runId
        self.policy = policy
        self.message = message
        self.metadata = metadata
    }
}

/// Filters for reading logs back.
public struct LogQuery: Sendable, Equatable {
    public var policy: String?
    public var runId: Int64?
    /// Minimum level name (trace, debug, info, notice, warning, error, critical).
    public var minimumLevel: String?
    public var since: String?
    public var until: String?
    public var limit: Int = 1000
    /// Case-insensitive substring of the message or the metadata text.
    public var text: String?
    /// Keyset cursor: only rows with an id after this one (before it when `newestFirst`).
    public var afterId: Int64?
    /// Newest first instead of oldest first.
    public var newestFirst = false

    public init(
        policy: String? = nil, runId: Int64? = nil, minimumLevel: String? = nil, since: String? = nil, until: String? = nil, limit: Int = 1000,
        text: String? = nil, afterId: Int64? = nil, newestFirst: Bool = false
    ) {
        self.policy = policy
        self.runId = runId
        self.minimumLevel = minimumLevel
        self.since = since
        self.until = until
        self.limit = limit
        self.text = text
        self.afterId = afterId
        self.newestFirst = newestFirst
    }
}

/// Filters for listing runs, newest first.
public struct RunQuery: Sendable, Equatable {
    public var policy: String?
    public var status: RunStatus?
    /// Runs started at or after this ISO 8601 UTC time.
    public var since: String?
    /// Runs started before this ISO 8601 UTC time.
    public var until: String?
    /// Keyset cursor: only runs with a smaller id.
    public var beforeId: Int64?
    public var limit: Int

    public init(policy: String? = nil, status: RunStatus? = nil, since: String? = nil, until: String? = nil, beforeId: Int64? = nil, limit: Int = 100) {
        self.policy = policy
        self.status = status
        self.since = since
        self.until = until
        self.beforeId = beforeId
        self.limit = limit
    }
}

/// Filters for the API's file search, newest first.
public struct FileSearch: Sendable, Equatable {
    public var policy: String?
    public var runId: Int64?
    /// Case-insensitive substring of the source or destination path.
    public var path: String?
    /// Lower-case hex SHA-256, or a prefix of it.
    public var sha256: String?
    public var kind: FileKind?
    /// Catalogued at or after this ISO 8601 UTC time.
    public var since: String?
    /// Catalogued before this ISO 8601 UTC time.
    public var until: String?
    /// Keyset cursor: only rows with a smaller id.
    public var beforeId: Int64?
    public var limit: Int

    public init(
        policy: String? = nil, runId: Int64? = nil, path: String? = nil, sha256: String? = nil, kind: FileKind? = nil, since: String? = nil,
        until: String? = nil, beforeId: Int64? = nil, limit: Int = 100
    ) {
        self.policy = policy
        self.runId = runId
        self.path = path
        self.sha256 = sha256
        self.kind = kind
        self.since = since
        self.until = until
        self.beforeId = beforeId
        self.limit = limit
    }
}

/// Filters for listing catalogued files (`pybak ls`, restore, verify). Nil means no filter.
public struct FileQuery: Sendable, Equatable {
    public var policy: String?
    /// Source paths equal to this or under this folder (`a/b` matches `a/b` and `a/b/…`).
    public var pathPrefix: String?
    /// Exactly this source path, or (when it has no `/`) any path whose file name is this.
    public var path: String?
    public var runId: Int64?
    /// Catalogued at or after (catalog time text).
    public var since: String?
    /// Catalogued at or before (catalog time text).
    public var until: String?
    /// Only rows whose copy is in place (`state = stored`).
    public var storedOnly = true
    /// Only rows that hold their own copy (`kind = stored`), not duplicates.
    public var copiesOnly = false
    /// Also rows removed by `pybak prune`.
    public var includePruned = false
    public var limit: Int = Int(Int32.max)

    public init(
        policy: String? = nil, pathPrefix: String? = nil, path: String? = nil, runId: Int64? = nil, since: String? = nil, until: String? = nil,
        storedOnly: Bool = true, copiesOnly: Bool = false, includePruned: Bool = false, limit: Int = Int(Int32.max)
    ) {
        self.includePruned = includePruned
        self.policy = policy
        self.pathPrefix = pathPrefix
        self.path = path
        self.runId = runId
        self.since = since
        self.until = until
        self.storedOnly = storedOnly
        self.copiesOnly = copiesOnly
        self.limit = limit
    }
}
