extension SQLiteCatalog {
    public func run(id: Int64) throws -> RunRecord? {
        try db.statement("SELECT \(CatalogRows.runColumns) FROM runs WHERE id = ?1").bind(.int(id)).rows { CatalogRows.runRecord($0) }.first
    }

    public func lastRun(policy: String?) throws -> RunRecord? {
        try runs(policy: policy, limit: 1).first
    }

    public func runs(policy: String?, limit: Int) throws -> [RunRecord] {
        try db.statement("SELECT \(CatalogRows.runColumns) FROM runs WHERE (?1 IS NULL OR policy = ?1) ORDER BY id DESC LIMIT ?2")
            .bind(.optional(policy), .int(Int64(limit))).rows { CatalogRows.runRecord($0) }
    }

    public func files(runId: Int64) throws -> [FileRecord] {
        try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE run_id = ?1 ORDER BY source_path")
            .bind(.int(runId)).rows { CatalogRows.fileRecord($0) }
    }

    public func problems(runId: Int64) throws -> [RunProblem] {
        try db.statement("SELECT run_id, path, outcome, reason FROM problems WHERE run_id = ?1 ORDER BY outcome, path")
            .bind(.int(runId)).rows { CatalogRows.problem($0) }
    }

    public func logs(_ query: LogQuery) throws -> [LogRecord] {
        try db.statement("""
            SELECT time, level, run_id, policy, message, metadata FROM logs
            WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR run_id = ?2) AND level_rank >= ?3
              AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time < ?5)
            ORDER BY id LIMIT ?6
            """).bind(
                .optional(query.policy), .optional(query.runId), .int(query.minimumLevel.map(CatalogRows.rank) ?? 0),
                .optional(query.since), .optional(query.until), .int(Int64(query.limit))
            ).rows { CatalogRows.logRecord($0) }
    }
}
