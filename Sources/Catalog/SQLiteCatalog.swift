/// The embedded catalog: one SQLite file in WAL mode with `synchronous=FULL`, so a
/// committed row survives a crash before any source is removed.
public final class SQLiteCatalog: Catalog {
    let db: SQLiteConnection

    /// Opens (creating if needed) the catalog file. Call `migrate()` before use.
    /// - Throws: `CatalogError` naming the file and what to do.
    public init(path: String) throws {
        db = try SQLiteConnection(path: path)
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    }

    public func migrate() throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        try db.transaction {
            let applied = Set(try db.statement("SELECT version FROM schema_migrations").rows { $0.int(0) })
            if let newest = applied.max(), newest > Int64(SQLiteSchema.migrations.last?.version ?? 0) {
                throw CatalogError("the catalog \(db.path) has schema version \(newest), newer than this pybak knows; upgrade pybak")
            }
            for migration in SQLiteSchema.migrations where !applied.contains(Int64(migration.version)) {
                try db.execute(migration.sql)
                try db.statement("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, datetime('now'))")
                    .bind(.int(Int64(migration.version)), .text(migration.name)).run()
            }
        }
    }

    public func schemaVersion() throws -> Int {
        Int(try db.statement("SELECT coalesce(max(version), 0) FROM schema_migrations").rows { $0.int(0) }.first ?? 0)
    }

    public func startRun(policy: String, trigger: RunTrigger, passStamp: String, startedAt: String, host: String) throws -> Int64 {
        try db.statement("""
            INSERT INTO runs (policy, trigger, started_at, pass_stamp, status, host) VALUES (?1, ?2, ?3, ?4, 'running', ?5)
            """).bind(.text(policy), .text(trigger.rawValue), .text(startedAt), .text(passStamp), .text(host)).run()
        return db.lastInsertId
    }

    public func finishRun(id: Int64, status: RunStatus, counts: RunCounts, finishedAt: String, error: String?) throws {
        try db.statement("""
            UPDATE runs SET status = ?2, finished_at = ?3, files_compressed = ?4, files_duplicate = ?5, files_skipped = ?6,
              files_failed = ?7, files_unchanged = ?8, bytes_in = ?9, bytes_out = ?10, error = ?11 WHERE id = ?1
            """).bind(
                .int(id), .text(status.rawValue), .text(finishedAt), .int(Int64(counts.compressed)), .int(Int64(counts.duplicate)),
                .int(Int64(counts.skipped)), .int(Int64(counts.failed)), .int(Int64(counts.unchanged)), .int(counts.bytesIn),
                .int(counts.bytesOut), .optional(error)
            ).run()
    }

    public func storedCopy(policy: String, sha256: String) throws -> FileRecord? {
        try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE policy = ?1 AND sha256 = ?2 AND kind = 'stored' AND pruned_at IS NULL ORDER BY id LIMIT 1")
            .bind(.text(policy), .text(sha256)).rows { CatalogRows.fileRecord($0) }.first
    }

    public func storedCopies(policy: String, sha256s: [String]) throws -> [String: FileRecord] {
        var found: [String: FileRecord] = [:]
        // One statement per chunk of hashes (the oldest stored row of each), not one per hash.
        let unique = Array(Set(sha256s))
        for start in stride(from: 0, to: unique.count, by: Self.chunk) {
            let chunk = Self.padded(Array(unique[start..<min(start + Self.chunk, unique.count)]))
            let marks = (0..<chunk.count).map { "?\($0 + 2)" }.joined(separator: ",")
            let records = try db.statement("""
                SELECT \(CatalogRows.fileColumns) FROM files WHERE id IN (
                  SELECT min(id) FROM files WHERE policy = ?1 AND sha256 IN (\(marks)) AND kind = 'stored' AND pruned_at IS NULL GROUP BY sha256)
                """).bind([.text(policy)] + chunk.map { .text($0) }).rows { CatalogRows.fileRecord($0) }
            for record in records { found[record.sha256] = record }
        }
        return found
    }

    /// Values bound per statement at most when a list goes into `IN (...)` (SQLite allows 32,766).
    static let chunk = 512

    /// The list grown to the next power of two by repeating its last value (harmless inside `IN`), so the
    /// connection's statement cache holds a few list lengths, not one per batch size.
    static func padded<T>(_ list: [T]) -> [T] {
        guard let last = list.last else { return list }
        var size = 1
        while size < list.count { size <<= 1 }
        return list + Array(repeating: last, count: size - list.count)
    }

    public func lockPolicy(_ policy: String) throws -> Bool { true }

    public func unlockPolicy(_ policy: String) throws {}

    public func latestEntry(policy: String, sourcePath: String) throws -> FileRecord? {
        try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE policy = ?1 AND source_path = ?2 ORDER BY id DESC LIMIT 1")
            .bind(.text(policy), .text(sourcePath)).rows { CatalogRows.fileRecord($0) }.first
    }

    public func recordPending(_ files: [NewFile]) throws -> [Int64] {
        let now = WallClockText.now()
        return try db.transaction {
            let insert = try db.statement("""
                INSERT INTO files (policy, run_id, source_path, size, mtime_ns, sha256, destination_path, stored_size, kind,
                  duplicate_of, state, source_device, source_inode, disposition, created_at, key_id, archive_member)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, ?12, ?13, ?14, ?15, ?16)
                """)
            var ids: [Int64] = []
            ids.reserveCapacity(files.count)
            for file in files {
                insert.reset()
                try insert.bind(
                    .text(file.policy), .int(file.runId), .text(file.sourcePath), .int(file.size), .int(file.mtimeNanos),
                    .text(file.sha256), .text(file.destinationPath), .int(file.storedSize), .text(file.kind.rawValue),
                    .optional(file.duplicateOf), .int(file.sourceDevice), .int(file.sourceInode), .text(file.disposition.rawValue),
                    .text(now), .optional(file.keyId), .optional(file.archiveMember)
                ).run()
                ids.append(db.lastInsertId)
            }
            return ids
        }
    }

    public func markStored(ids: [Int64]) throws {
        try update("UPDATE files SET state = 'stored' WHERE id IN (IDS)", ids: ids)
    }

    public func dropPending(ids: [Int64]) throws {
        try update("DELETE FROM files WHERE id IN (IDS) AND state = 'pending'", ids: ids)
    }

    public func setDisposition(_ disposition: SourceDisposition, ids: [Int64]) throws {
        try update("UPDATE files SET disposition = ?1 WHERE id IN (IDS)", ids: ids, with: [.text(disposition.rawValue)])
    }

    /// Runs `sql` for every id in one transaction, a chunk of ids at a time: `sql` holds `?1`... for `values`
    /// and `(IDS)` where the chunk's placeholders go; nothing for no ids.
    func update(_ sql: String, ids: [Int64], with values: [SQLiteValue] = []) throws {
        guard !ids.isEmpty else { return }
        try db.transaction {
            for start in stride(from: 0, to: ids.count, by: Self.chunk) {
                let chunk = ids[start..<min(start + Self.chunk, ids.count)]
                let padded = Self.padded(Array(chunk))
                let marks = (0..<padded.count).map { "?\($0 + values.count + 1)" }.joined(separator: ",")
                try db.statement(sql.replacing("(IDS)", with: "(\(marks))")).bind(values + padded.map { .int($0) }).run()
            }
        }
    }

    public func pendingFiles(policy: String) throws -> [FileRecord] {
        try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE policy = ?1 AND state = 'pending' ORDER BY id")
            .bind(.text(policy)).rows { CatalogRows.fileRecord($0) }
    }

    public func filesAwaitingRemoval(policy: String) throws -> [FileRecord] {
        try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE policy = ?1 AND state = 'stored' AND disposition = 'remove' AND local_copy != 'drop' ORDER BY id")
            .bind(.text(policy)).rows { CatalogRows.fileRecord($0) }
    }

    public func recordProblems(_ problems: [RunProblem]) throws {
        guard !problems.isEmpty else { return }
        try db.transaction {
            let insert = try db.statement("INSERT INTO problems (run_id, path, outcome, reason) VALUES (?1, ?2, ?3, ?4)")
            for problem in problems {
                insert.reset()
                try insert.bind(.int(problem.runId), .text(problem.path), .text(problem.outcome.rawValue), .text(problem.reason)).run()
            }
        }
    }

    public func appendLogs(_ records: [LogRecord]) throws {
        guard !records.isEmpty else { return }
        try db.transaction {
            let insert = try db.statement("""
                INSERT INTO logs (time, level, level_rank, run_id, policy, message, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """)
            for record in records {
                insert.reset()
                try insert.bind(
                    .text(record.time), .text(record.level), .int(CatalogRows.rank(record.level)), .optional(record.runId),
                    .optional(record.policy), .text(record.message), .text(record.metadata)
                ).run()
            }
        }
    }

    public func failAbandonedRuns(policy: String, finishedAt: String) throws -> Int {
        let stale = try db.statement("SELECT id FROM runs WHERE policy = ?1 AND status = 'running'").bind(.text(policy)).rows { $0.int(0) }
        for id in stale {
            try db.statement("""
                UPDATE runs SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1
                """).bind(.int(id), .text(finishedAt), .text(CatalogRows.abandonedRunError)).run()
        }
        return stale.count
    }
}
