/// The filtered, paginated reads behind the REST API (the same contract as `SQLiteCatalog+Search`).
extension PostgresCatalog {
    public func logs(_ query: LogQuery) throws -> [LogRecord] {
        let order = query.newestFirst ? "DESC" : "ASC"
        let cursor = query.newestFirst ? "id < $7::bigint" : "id > $7::bigint"
        return try connection.retrying {
            try connection.query("""
                SELECT id, time, level, run_id, policy, message, metadata FROM logs
                WHERE ($1::text IS NULL OR policy = $1::text) AND ($2::bigint IS NULL OR run_id = $2::bigint) AND level_rank >= $3::int
                  AND ($4::text IS NULL OR time >= $4::text) AND ($5::text IS NULL OR time < $5::text)
                  AND ($6::text IS NULL OR message ILIKE $6::text ESCAPE '\\' OR metadata ILIKE $6::text ESCAPE '\\')
                  AND ($7::bigint IS NULL OR \(cursor))
                ORDER BY id \(order) LIMIT $8::bigint
                """, [
                    query.policy, query.runId.map { "\($0)" }, "\(query.minimumLevel.map(CatalogRows.rank) ?? 0)", query.since, query.until,
                    query.text.map(SQLiteCatalog.containsPattern), query.afterId.map { "\($0)" }, "\(max(0, query.limit))",
                ]).rows {
                    LogRecord(
                        time: $0.text(1), level: $0.text(2), runId: $0.optionalInt(3), policy: $0.optionalText(4), message: $0.text(5),
                        metadata: $0.text(6), id: $0.int(0)
                    )
                }
        }
    }

    public func runs(_ query: RunQuery) throws -> [RunRecord] {
        try runs("""
            WHERE ($1::text IS NULL OR policy = $1::text) AND ($2::text IS NULL OR status = $2::text) AND ($3::text IS NULL OR started_at >= $3::text)
              AND ($4::text IS NULL OR started_at < $4::text) AND ($5::bigint IS NULL OR id < $5::bigint)
            ORDER BY id DESC LIMIT $6::bigint
            """, [query.policy, query.status?.rawValue, query.since, query.until, query.beforeId.map { "\($0)" }, "\(max(0, query.limit))"])
    }

    public func searchFiles(_ query: FileSearch) throws -> [FileRecord] {
        try files("""
            WHERE ($1::text IS NULL OR policy = $1::text) AND ($2::bigint IS NULL OR run_id = $2::bigint)
              AND ($3::text IS NULL OR source_path ILIKE $3::text ESCAPE '\\' OR destination_path ILIKE $3::text ESCAPE '\\')
              AND ($4::text IS NULL OR sha256 LIKE $4::text ESCAPE '\\') AND ($5::text IS NULL OR kind = $5::text)
              AND ($6::text IS NULL OR created_at >= $6::text) AND ($7::text IS NULL OR created_at < $7::text) AND ($8::bigint IS NULL OR id < $8::bigint)
            ORDER BY id DESC LIMIT $9::bigint
            """, [
                query.policy, query.runId.map { "\($0)" }, query.path.map(SQLiteCatalog.containsPattern),
                query.sha256.map { SQLiteCatalog.escapeLike($0.lowercased()) + "%" }, query.kind?.rawValue, query.since, query.until,
                query.beforeId.map { "\($0)" }, "\(max(0, query.limit))",
            ])
    }

    public func policyNames() throws -> [String] {
        try connection.retrying {
            try connection.query("SELECT DISTINCT policy FROM runs ORDER BY policy", []).rows { $0.text(0) }
        }
    }
}
