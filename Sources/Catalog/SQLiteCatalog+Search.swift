/// The filtered, paginated reads behind the REST API.
extension SQLiteCatalog {
    public func logs(_ query: LogQuery) throws -> [LogRecord] {
        let order = query.newestFirst ? "DESC" : "ASC"
        let cursor = query.newestFirst ? "id < ?7" : "id > ?7"
        return try db.statement("""
            SELECT id, time, level, run_id, policy, message, metadata FROM logs
            WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR run_id = ?2) AND level_rank >= ?3
              AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time < ?5)
              AND (?6 IS NULL OR message LIKE ?6 ESCAPE '\\' OR metadata LIKE ?6 ESCAPE '\\')
              AND (?7 IS NULL OR \(cursor))
            ORDER BY id \(order) LIMIT ?8
            """).bind(
                .optional(query.policy), .optional(query.runId), .int(query.minimumLevel.map(CatalogRows.rank) ?? 0),
                .optional(query.since), .optional(query.until), .optional(query.text.map(Self.containsPattern)), .optional(query.afterId),
                .int(Int64(max(0, query.limit)))
            ).rows {
                LogRecord(
                    time: $0.text(1), level: $0.text(2), runId: $0.optionalInt(3), policy: $0.optionalText(4), message: $0.text(5),
                    metadata: $0.text(6), id: $0.int(0)
                )
            }
    }

    public func runs(_ query: RunQuery) throws -> [RunRecord] {
        try db.statement("""
            SELECT \(CatalogRows.runColumns) FROM runs
            WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR started_at >= ?3)
              AND (?4 IS NULL OR started_at < ?4) AND (?5 IS NULL OR id < ?5)
            ORDER BY id DESC LIMIT ?6
            """).bind(
                .optional(query.policy), .optional(query.status?.rawValue), .optional(query.since), .optional(query.until),
                .optional(query.beforeId), .int(Int64(max(0, query.limit)))
            ).rows { CatalogRows.runRecord($0) }
    }

    /// A path search scans `files` (LIKE, newest first); the PostgreSQL catalog has a trigram index for it.
    public func searchFiles(_ query: FileSearch) throws -> [FileRecord] {
        try db.statement("""
            SELECT \(CatalogRows.fileColumns) FROM files
            WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR run_id = ?2)
              AND (?3 IS NULL OR source_path LIKE ?3 ESCAPE '\\' OR destination_path LIKE ?3 ESCAPE '\\')
              AND (?4 IS NULL OR sha256 LIKE ?4 ESCAPE '\\') AND (?5 IS NULL OR kind = ?5)
              AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7) AND (?8 IS NULL OR id < ?8)
            ORDER BY id DESC LIMIT ?9
            """).bind([
                .optional(query.policy), .optional(query.runId), .optional(query.path.map(Self.containsPattern)),
                .optional(query.sha256.map { Self.escapeLike($0.lowercased()) + "%" }), .optional(query.kind?.rawValue),
                .optional(query.since), .optional(query.until), .optional(query.beforeId), .int(Int64(max(0, query.limit))),
            ]).rows { CatalogRows.fileRecord($0) }
    }

    public func policyNames() throws -> [String] {
        try db.statement("SELECT DISTINCT policy FROM runs ORDER BY policy").rows { $0.text(0) }
    }

    /// A LIKE pattern matching the text anywhere, with `%`, `_` and `\` taken literally.
    static func containsPattern(_ text: String) -> String {
        "%" + escapeLike(text) + "%"
    }

    static func escapeLike(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
