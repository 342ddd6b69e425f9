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
}
