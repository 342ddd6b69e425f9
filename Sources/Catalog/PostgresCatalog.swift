import Logging

/// The shared catalog for many workers: PostgreSQL through libpq, same tables and meaning as `SQLiteCatalog`.
///
/// Every call is one transaction with parameterised, multi-row statements. A call that loses the connection
/// reconnects with capped backoff and runs again; inserts take their ids from the sequence first and skip ids
/// already present, so a call repeated after an unknown commit outcome never writes a row twice.
public final class PostgresCatalog: Catalog {
    let connection: PostgresConnection

    /// Connects. Call `migrate()` before use.
    /// - Throws: `CatalogError` naming the server and what to check.
    public init(target: DatabaseTarget) throws {
        connection = try PostgresConnection(target: target)
    }

    /// Where lost and restored connections are reported.
    public var logger: Logger? {
        get { connection.logger }
        set { connection.logger = newValue }
    }

    public func migrate() throws {
        try connection.retrying {
            try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", AdvisoryLockKey.migrations.parameters)
                try connection.execute("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """)
                let applied = Set(try connection.query("SELECT version FROM schema_migrations").rows { $0.int(0) })
                if let newest = applied.max(), newest > Int64(PostgresSchema.migrations.last?.version ?? 0) {
                    throw CatalogError("the PostgreSQL catalog \(connection.target.display) has schema version \(newest), newer than this pybak knows; upgrade pybak")
                }
                for migration in PostgresSchema.migrations where !applied.contains(Int64(migration.version)) {
                    try connection.execute(migration.sql)
                    try connection.query("INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)", ["\(migration.version)", migration.name])
                }
            }
        }
    }

    public func schemaVersion() throws -> Int {
        try connection.retrying {
            Int(try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations").rows { $0.int(0) }.first ?? 0)
        }
    }

    public func startRun(policy: String, trigger: RunTrigger, passStamp: String, startedAt: String, host: String) throws -> Int64 {
        let id = try newIds("runs", count: 1)[0]
        try insert("runs", ["id", "policy", "trigger", "started_at", "pass_stamp", "status", "host"], rows: [
            ["\(id)", policy, trigger.rawValue, startedAt, passStamp, RunStatus.running.rawValue, host]
        ])
        return id
    }

    public func finishRun(id: Int64, status: RunStatus, counts: RunCounts, finishedAt: String, error: String?) throws {
        try connection.retrying {
            try connection.query("""
                UPDATE runs SET status = $2, finished_at = $3, files_compressed = $4, files_duplicate = $5, files_skipped = $6,
                  files_failed = $7, files_unchanged = $8, bytes_in = $9, bytes_out = $10, error = $11 WHERE id = $1
                """, [
                    "\(id)", status.rawValue, finishedAt, "\(counts.compressed)", "\(counts.duplicate)", "\(counts.skipped)",
                    "\(counts.failed)", "\(counts.unchanged)", "\(counts.bytesIn)", "\(counts.bytesOut)", error,
                ])
        }
    }

    public func storedCopy(policy: String, sha256: String) throws -> FileRecord? {
        try files("WHERE policy = $1 AND sha256 = $2 AND kind = 'stored' AND pruned_at IS NULL ORDER BY id LIMIT 1", [policy, sha256]).first
    }

    public func storedCopies(policy: String, sha256s: [String]) throws -> [String: FileRecord] {
        guard !sha256s.isEmpty else { return [:] }
        let rows = try connection.retrying {
            try connection.query("""
                SELECT DISTINCT ON (sha256) \(CatalogRows.fileColumns) FROM files
                WHERE policy = $1 AND kind = 'stored' AND pruned_at IS NULL AND sha256 = ANY($2::text[]) ORDER BY sha256, id
                """, [policy, PostgresArray.texts(sha256s)]).rows { CatalogRows.fileRecord($0) }
        }
        return Dictionary(rows.map { ($0.sha256, $0) }) { first, _ in first }
    }

    public func latestEntry(policy: String, sourcePath: String) throws -> FileRecord? {
        try files("WHERE policy = $1 AND source_path = $2 ORDER BY id DESC LIMIT 1", [policy, sourcePath]).first
    }

    public func recordPending(_ files: [NewFile]) throws -> [Int64] {
        guard !files.isEmpty else { return [] }
        let ids = try newIds("files", count: files.count)
        let now = WallClockText.now()
        try insert("files", [
            "id", "policy", "run_id", "source_path", "size", "mtime_ns", "sha256", "destination_path", "stored_size", "kind",
            "duplicate_of", "state", "source_device", "source_inode", "disposition", "created_at", "key_id", "archive_member",
        ], rows: zip(ids, files).map { id, file in
            [
                "\(id)", file.policy, "\(file.runId)", file.sourcePath, "\(file.size)", "\(file.mtimeNanos)", file.sha256,
                file.destinationPath, "\(file.storedSize)", file.kind.rawValue, file.duplicateOf.map { "\($0)" },
                FileState.pending.rawValue, "\(file.sourceDevice)", "\(file.sourceInode)", file.disposition.rawValue, now, file.keyId,
                file.archiveMember,
            ]
        })
        return ids
    }

    public func markStored(ids: [Int64]) throws {
        try update("UPDATE files SET state = 'stored' WHERE id = ANY($1::bigint[])", ids: ids)
    }

    public func dropPending(ids: [Int64]) throws {
        try update("DELETE FROM files WHERE id = ANY($1::bigint[]) AND state = 'pending'", ids: ids)
    }

    public func setDisposition(_ disposition: SourceDisposition, ids: [Int64]) throws {
        try update("UPDATE files SET disposition = $2 WHERE id = ANY($1::bigint[])", ids: ids, with: [disposition.rawValue])
    }

    public func pendingFiles(policy: String) throws -> [FileRecord] {
        try files("WHERE policy = $1 AND state = 'pending' ORDER BY id", [policy])
    }

    public func filesAwaitingRemoval(policy: String) throws -> [FileRecord] {
        try files("WHERE policy = $1 AND state = 'stored' AND disposition = 'remove' AND local_copy != 'drop' ORDER BY id", [policy])
    }

    public func recordProblems(_ problems: [RunProblem]) throws {
        guard !problems.isEmpty else { return }
        let ids = try newIds("problems", count: problems.count)
        try insert("problems", ["id", "run_id", "path", "outcome", "reason"], rows: zip(ids, problems).map { id, problem in
            ["\(id)", "\(problem.runId)", problem.path, problem.outcome.rawValue, problem.reason]
        })
    }

    public func appendLogs(_ records: [LogRecord]) throws {
        guard !records.isEmpty else { return }
        let ids = try newIds("logs", count: records.count)
        try insert("logs", ["id", "time", "level", "level_rank", "run_id", "policy", "message", "metadata"], rows: zip(ids, records).map { id, record in
            ["\(id)", record.time, record.level, "\(CatalogRows.rank(record.level))", record.runId.map { "\($0)" }, record.policy, record.message, record.metadata]
        })
    }

    public func files(matching query: FileQuery) throws -> [FileRecord] {
        let prefix = query.pathPrefix.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let nameOnly = query.path.map { !$0.contains("/") } ?? false
        return try files("""
            WHERE ($1::text IS NULL OR policy = $1)
              AND ($2::text IS NULL OR source_path = $2 OR left(source_path, length($2) + 1) = $2 || '/' OR $2 = '')
              AND ($3::text IS NULL OR source_path = $3 OR ($4::boolean AND right(source_path, length($3) + 1) = '/' || $3))
              AND ($5::bigint IS NULL OR run_id = $5)
              AND ($6::text IS NULL OR created_at >= $6) AND ($7::text IS NULL OR created_at <= $7)
              AND (NOT $8::boolean OR state = 'stored') AND (NOT $9::boolean OR kind = 'stored') AND ($11::boolean OR pruned_at IS NULL)
            ORDER BY id LIMIT $10
            """, [
                query.policy, prefix, query.path, nameOnly ? "true" : "false", query.runId.map { "\($0)" }, query.since, query.until,
                query.storedOnly ? "true" : "false", query.copiesOnly ? "true" : "false", "\(query.limit)", query.includePruned ? "true" : "false",
            ])
    }

    public func recordVerification(ids: [Int64], at time: String, error: String?) throws {
        guard !ids.isEmpty else { return }
        try connection.retrying {
            try connection.query("UPDATE files SET verified_at = $2, verify_error = $3 WHERE id = ANY($1::bigint[])", [PostgresArray.ids(ids), time, error])
        }
    }

    public func markPruned(ids: [Int64], at time: String) throws {
        try update("UPDATE files SET pruned_at = $2 WHERE id = ANY($1::bigint[]) AND pruned_at IS NULL", ids: ids, with: [time])
    }

    public func lockPolicy(_ policy: String) throws -> Bool {
        try connection.tryLock(.policy(policy), guarding: "the lock of policy '\(policy)'")
    }

    public func unlockPolicy(_ policy: String) throws {
        try connection.unlock(.policy(policy))
    }

    public func failAbandonedRuns(policy: String, finishedAt: String) throws -> Int {
        try connection.retrying {
            try connection.query(
                "UPDATE runs SET status = 'failed', finished_at = $2, error = $3 WHERE policy = $1 AND status = 'running'",
                [policy, finishedAt, CatalogRows.abandonedRunError]
            ).affectedRows
        }
    }

    // MARK: helpers

    /// File rows matching `clause` (a WHERE/ORDER BY tail with `$n` parameters).
    func files(_ clause: String, _ parameters: [String?]) throws -> [FileRecord] {
        try connection.retrying {
            try connection.query("SELECT \(CatalogRows.fileColumns) FROM files \(clause)", parameters).rows { CatalogRows.fileRecord($0) }
        }
    }

    /// Fresh ids from a table's sequence, ascending; taken before an insert so that a rerun inserts the same rows.
    private func newIds(_ table: String, count: Int) throws -> [Int64] {
        try connection.retrying {
            try connection.query("SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2::int)", [table, "\(count)"])
                .rows { $0.int(0) }.sorted()
        }
    }

    /// Inserts rows (the first column is `id`) in one transaction, as multi-row statements; rows whose id is
    /// already there are skipped, so a rerun after a lost connection adds nothing twice.
    private func insert(_ table: String, _ columns: [String], rows: [[String?]]) throws {
        let rowsPerStatement = max(1, 30_000 / columns.count)
        try connection.retrying {
            try connection.transaction {
                var start = 0
                while start < rows.count {
                    let chunk = rows[start..<min(rows.count, start + rowsPerStatement)]
                    var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                    var parameters: [String?] = []
                    parameters.reserveCapacity(chunk.count * columns.count)
                    for (index, row) in chunk.enumerated() {
                        sql += index == 0 ? "(" : ", ("
                        sql += (1...columns.count).map { "$\(parameters.count + $0)" }.joined(separator: ", ") + ")"
                        parameters += row
                    }
                    try connection.query(sql + " ON CONFLICT (id) DO NOTHING", parameters)
                    start += chunk.count
                }
            }
        }
    }

    /// Runs `sql` once for all `ids` (bound to `$1` as an array, `values` to `$2`...); nothing for no ids.
    func update(_ sql: String, ids: [Int64], with values: [String] = []) throws {
        guard !ids.isEmpty else { return }
        try connection.retrying { try connection.query(sql, [PostgresArray.ids(ids)] + values) }
    }
}
