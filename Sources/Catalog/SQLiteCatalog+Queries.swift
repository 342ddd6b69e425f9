extension SQLiteCatalog {
    static let runColumns = """
        id, policy, trigger, started_at, finished_at, pass_stamp, status, files_compressed, files_duplicate, files_skipped,
        files_failed, files_unchanged, bytes_in, bytes_out, error, host
        """

    static func runRecord(_ row: SQLiteStatement) -> RunRecord {
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

    public func run(id: Int64) throws -> RunRecord? {
        try db.statement("SELECT \(Self.runColumns) FROM runs WHERE id = ?1").bind(.int(id)).rows(Self.runRecord).first
    }

    public func lastRun(policy: String?) throws -> RunRecord? {
        try runs(policy: policy, limit: 1).first
    }

    public func runs(policy: String?, limit: Int) throws -> [RunRecord] {
        try db.statement("SELECT \(Self.runColumns) FROM runs WHERE (?1 IS NULL OR policy = ?1) ORDER BY id DESC LIMIT ?2")
            .bind(.optional(policy), .int(Int64(limit))).rows(Self.runRecord)
    }

    public func files(runId: Int64) throws -> [FileRecord] {
        try db.statement("SELECT \(Self.fileColumns) FROM files WHERE run_id = ?1 ORDER BY source_path")
            .bind(.int(runId)).rows(Self.fileRecord)
    }

    public func problems(runId: Int64) throws -> [RunProblem] {
        try db.statement("SELECT run_id, path, outcome, reason FROM problems WHERE run_id = ?1 ORDER BY outcome, path")
            .bind(.int(runId)).rows {
                RunProblem(runId: $0.int(0), path: $0.text(1), outcome: RunProblem.Outcome(rawValue: $0.text(2)) ?? .failed, reason: $0.text(3))
            }
    }

    public func logs(_ query: LogQuery) throws -> [LogRecord] {
        try db.statement("""
            SELECT time, level, run_id, policy, message, metadata FROM logs
            WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR run_id = ?2) AND level_rank >= ?3
              AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time < ?5)
            ORDER BY id LIMIT ?6
            """).bind(
                .optional(query.policy), .optional(query.runId), .int(query.minimumLevel.map(SQLiteSchema.rank) ?? 0),
                .optional(query.since), .optional(query.until), .int(Int64(query.limit))
            ).rows {
                LogRecord(time: $0.text(0), level: $0.text(1), runId: $0.optionalInt(2), policy: $0.optionalText(3), message: $0.text(4), metadata: $0.text(5))
            }
    }
}

extension SQLiteCatalog {
    public func files(matching query: FileQuery) throws -> [FileRecord] {
        // A path prefix matches the path itself and everything below it; LIKE is avoided so `_` and `%` stay literal.
        let prefix = query.pathPrefix.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let nameOnly = query.path.map { !$0.contains("/") } ?? false
        return try db.statement("""
            SELECT \(Self.fileColumns) FROM files
            WHERE (?1 IS NULL OR policy = ?1)
              AND (?2 IS NULL OR source_path = ?2 OR substr(source_path, 1, length(?2) + 1) = ?2 || '/' OR ?2 = '')
              AND (?3 IS NULL OR source_path = ?3 OR (?4 = 1 AND substr(source_path, -length(?3) - 1) = '/' || ?3))
              AND (?5 IS NULL OR run_id = ?5)
              AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at <= ?7)
              AND (?8 = 0 OR state = 'stored') AND (?9 = 0 OR kind = 'stored') AND (?11 = 1 OR pruned_at IS NULL)
            ORDER BY id LIMIT ?10
            """).bind(
                .optional(query.policy), .optional(prefix), .optional(query.path), .int(nameOnly ? 1 : 0), .optional(query.runId),
                .optional(query.since), .optional(query.until), .int(query.storedOnly ? 1 : 0), .int(query.copiesOnly ? 1 : 0),
                .int(Int64(query.limit)), .int(query.includePruned ? 1 : 0)
            ).rows(Self.fileRecord)
    }

    public func markPruned(ids: [Int64], at time: String) throws {
        guard !ids.isEmpty else { return }
        try db.transaction {
            let statement = try db.statement("UPDATE files SET pruned_at = ?2 WHERE id = ?1 AND pruned_at IS NULL")
            for id in ids {
                statement.reset()
                try statement.bind(.int(id), .text(time)).run()
            }
        }
    }

    public func recordVerification(ids: [Int64], at time: String, error: String?) throws {
        guard !ids.isEmpty else { return }
        try db.transaction {
            let statement = try db.statement("UPDATE files SET verified_at = ?2, verify_error = ?3 WHERE id = ?1")
            for id in ids {
                statement.reset()
                try statement.bind(.int(id), .text(time), .optional(error)).run()
            }
        }
    }
}
