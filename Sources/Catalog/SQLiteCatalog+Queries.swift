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
        try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE run_id = ?1 ORDER BY source_path, id")
            .bind(.int(runId)).rows { CatalogRows.fileRecord($0) }
    }

    public func files(runId: Int64, after cursor: RunFilesCursor?, limit: Int) throws -> [FileRecord] {
        // Keyset paging on the files_run_source index: each page starts where the last one ended, without OFFSET.
        guard let cursor else {
            return try db.statement("SELECT \(CatalogRows.fileColumns) FROM files WHERE run_id = ?1 ORDER BY source_path, id LIMIT ?2")
                .bind(.int(runId), .int(Int64(limit))).rows { CatalogRows.fileRecord($0) }
        }
        return try db.statement(
            "SELECT \(CatalogRows.fileColumns) FROM files WHERE run_id = ?1 AND (source_path, id) > (?2, ?3) ORDER BY source_path, id LIMIT ?4"
        ).bind(.int(runId), .text(cursor.sourcePath), .int(cursor.id), .int(Int64(limit))).rows { CatalogRows.fileRecord($0) }
    }

    public func problems(runId: Int64) throws -> [RunProblem] {
        try db.statement("SELECT run_id, path, outcome, reason FROM problems WHERE run_id = ?1 ORDER BY outcome, path")
            .bind(.int(runId)).rows { CatalogRows.problem($0) }
    }
}

extension SQLiteCatalog {
    public func files(matching query: FileQuery) throws -> [FileRecord] {
        // A path prefix matches the path itself and everything below it; LIKE is avoided so `_` and `%` stay literal.
        let prefix = query.pathPrefix.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let nameOnly = query.path.map { !$0.contains("/") } ?? false
        return try db.statement("""
            SELECT \(CatalogRows.fileColumns) FROM files
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
            ).rows { CatalogRows.fileRecord($0) }
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
