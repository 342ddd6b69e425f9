import Foundation

/// A result row read by column index: SQLite statements and PostgreSQL results both provide one,
/// so both catalogs map rows to records the same way.
protocol CatalogRow {
    func int(_ column: Int32) -> Int64
    func text(_ column: Int32) -> String
    func optionalInt(_ column: Int32) -> Int64?
    func optionalText(_ column: Int32) -> String?
}

extension SQLiteStatement: CatalogRow {}

/// The column lists and row mappings shared by the SQLite and PostgreSQL catalogs.
enum CatalogRows {
    static let fileColumns = """
        id, policy, run_id, source_path, size, mtime_ns, sha256, destination_path, stored_size, kind, duplicate_of, state,
        source_device, source_inode, disposition, created_at, key_id, verified_at, verify_error, pruned_at
        """

    static func fileRecord(_ row: some CatalogRow) -> FileRecord {
        FileRecord(
            id: row.int(0), policy: row.text(1), runId: row.int(2), sourcePath: row.text(3), size: row.int(4),
            mtimeNanos: row.int(5), sha256: row.text(6), destinationPath: row.text(7), storedSize: row.int(8),
            kind: FileKind(rawValue: row.text(9)) ?? .stored, duplicateOf: row.optionalInt(10),
            state: FileState(rawValue: row.text(11)) ?? .pending, sourceDevice: row.int(12), sourceInode: row.int(13),
            disposition: SourceDisposition(rawValue: row.text(14)) ?? .kept, createdAt: row.text(15),
            keyId: row.optionalText(16), verifiedAt: row.optionalText(17), verifyError: row.optionalText(18),
            prunedAt: row.optionalText(19)
        )
    }

    static let runColumns = """
        id, policy, trigger, started_at, finished_at, pass_stamp, status, files_compressed, files_duplicate, files_skipped,
        files_failed, files_unchanged, bytes_in, bytes_out, error, host
        """

    static func runRecord(_ row: some CatalogRow) -> RunRecord {
        var counts = RunCounts()
        counts.compressed = Int(row.int(7))
        counts.duplicate = Int(row.int(8))
        counts.skipped = Int(row.int(9))
        counts.failed = Int(row.int(10))
        counts.unchanged = Int(row.int(11))
        counts.bytesIn = row.int(12)
        counts.bytesOut = row.int(13)
        return RunRecord(
            id: row.int(0), policy: row.text(1), trigger: RunTrigger(rawValue: row.text(2)) ?? .manual, startedAt: row.text(3),
            finishedAt: row.optionalText(4), passStamp: row.text(5), status: RunStatus(rawValue: row.text(6)) ?? .failed,
            counts: counts, error: row.optionalText(14), host: row.text(15)
        )
    }

    /// Columns: run_id, path, outcome, reason.
    static func problem(_ row: some CatalogRow) -> RunProblem {
        RunProblem(runId: row.int(0), path: row.text(1), outcome: RunProblem.Outcome(rawValue: row.text(2)) ?? .failed, reason: row.text(3))
    }

    /// Columns: time, level, run_id, policy, message, metadata.
    static func logRecord(_ row: some CatalogRow) -> LogRecord {
        LogRecord(time: row.text(0), level: row.text(1), runId: row.optionalInt(2), policy: row.optionalText(3), message: row.text(4), metadata: row.text(5))
    }

    /// The error text of a run that was still `running` when a later pass took its policy's lock.
    static let abandonedRunError = "the pass was interrupted (killed or crashed); the next pass finished its work"

    /// The rank of a swift-log level name, for `level >=` filters.
    static func rank(_ level: String) -> Int64 {
        switch level {
        case "trace": return 0
        case "debug": return 1
        case "info": return 2
        case "notice": return 3
        case "warning": return 4
        case "error": return 5
        case "critical": return 6
        default: return 2
        }
    }

    /// The pending uploads of a policy for one target, each with its file row (file columns first).
    /// - Parameters: the placeholders for the policy and target (`?1`/`$1` style).
    static func pendingUploadsQuery(policy: String, target: String) -> String {
        let columns = fileColumns.split(separator: ",").map { "f.\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
        return """
            SELECT \(columns), u.id, u.target, u.bucket, u.object_key, u.attempts FROM uploads u JOIN files f ON f.id = u.file_id
            WHERE f.policy = \(policy) AND u.target = \(target) AND u.state = 'pending' AND f.state = 'stored' ORDER BY u.id
            """
    }

    /// How many columns `fileColumns` lists (the upload columns follow them in `pendingUploadsQuery`).
    static let fileColumnCount = Int32(fileColumns.split(separator: ",").count)

    static func pendingUpload(_ row: some CatalogRow) -> PendingUpload {
        let base = fileColumnCount
        return PendingUpload(
            id: row.int(base), file: fileRecord(row), target: row.text(base + 1), bucket: row.text(base + 2), key: row.text(base + 3),
            attempts: Int(row.int(base + 4)))
    }

    /// The uploads of the files a run catalogued.
    static func uploadsOfRunQuery(runId: String) -> String {
        """
        SELECT u.file_id, f.source_path, u.target, u.bucket, u.object_key, u.state, u.url, u.etag, u.attempts, u.last_error
        FROM uploads u JOIN files f ON f.id = u.file_id WHERE f.run_id = \(runId) ORDER BY f.source_path, u.target
        """
    }

    /// The uploads of one stored copy, one per target.
    static func uploadsOfFileQuery(fileId: String) -> String {
        """
        SELECT u.file_id, f.source_path, u.target, u.bucket, u.object_key, u.state, u.url, u.etag, u.attempts, u.last_error
        FROM uploads u JOIN files f ON f.id = u.file_id WHERE u.file_id = \(fileId) ORDER BY u.target
        """
    }

    static func uploadRecord(_ row: some CatalogRow) -> UploadRecord {
        UploadRecord(
            fileId: row.int(0), sourcePath: row.text(1), target: row.text(2), bucket: row.text(3), key: row.text(4), state: row.text(5),
            url: row.optionalText(6), etag: row.optionalText(7), attempts: Int(row.int(8)), lastError: row.optionalText(9))
    }
}
