extension PostgresCatalog {
    public func run(id: Int64) throws -> RunRecord? {
        try runs("WHERE id = $1", ["\(id)"]).first
    }

    public func lastRun(policy: String?) throws -> RunRecord? {
        try runs(policy: policy, limit: 1).first
    }

    public func runs(policy: String?, limit: Int) throws -> [RunRecord] {
        try runs("WHERE ($1::text IS NULL OR policy = $1::text) ORDER BY id DESC LIMIT $2::bigint", [policy, "\(limit)"])
    }

    public func files(runId: Int64) throws -> [FileRecord] {
        try files("WHERE run_id = $1 ORDER BY source_path", ["\(runId)"])
    }

    public func problems(runId: Int64) throws -> [RunProblem] {
        try connection.retrying {
            try connection.query("SELECT run_id, path, outcome, reason FROM problems WHERE run_id = $1 ORDER BY outcome, path", ["\(runId)"])
                .rows { CatalogRows.problem($0) }
        }
    }

    func runs(_ clause: String, _ parameters: [String?]) throws -> [RunRecord] {
        try connection.retrying {
            try connection.query("SELECT \(CatalogRows.runColumns) FROM runs \(clause)", parameters).rows { CatalogRows.runRecord($0) }
        }
    }
}

extension PostgresCatalog {
    public func files(matching query: FileQuery) throws -> [FileRecord] {
        // A path prefix matches the path itself and everything below it; LIKE is avoided so `_` and `%` stay literal.
        let prefix = query.pathPrefix.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let nameOnly = query.path.map { !$0.contains("/") } ?? false
        return try files("""
            WHERE ($1::text IS NULL OR policy = $1)
              AND ($2::text IS NULL OR $2 = '' OR source_path = $2 OR left(source_path, length($2) + 1) = $2 || '/')
              AND ($3::text IS NULL OR source_path = $3 OR ($4::int = 1 AND right(source_path, length($3) + 1) = '/' || $3))
              AND ($5::bigint IS NULL OR run_id = $5)
              AND ($6::text IS NULL OR created_at >= $6) AND ($7::text IS NULL OR created_at <= $7)
              AND ($8::int = 0 OR state = 'stored') AND ($9::int = 0 OR kind = 'stored') AND ($11::int = 1 OR pruned_at IS NULL)
            ORDER BY id LIMIT $10
            """, [
                query.policy, prefix, query.path, nameOnly ? "1" : "0", query.runId.map { "\($0)" }, query.since, query.until,
                query.storedOnly ? "1" : "0", query.copiesOnly ? "1" : "0", "\(query.limit)", query.includePruned ? "1" : "0",
            ])
    }

    public func markPruned(ids: [Int64], at time: String) throws {
        try update("UPDATE files SET pruned_at = $2 WHERE id = ANY($1::bigint[]) AND pruned_at IS NULL", ids: ids, with: [time])
    }

    public func recordVerification(ids: [Int64], at time: String, error: String?) throws {
        guard !ids.isEmpty else { return }
        try connection.retrying {
            try connection.query(
                "UPDATE files SET verified_at = $2, verify_error = $3 WHERE id = ANY($1::bigint[])", [PostgresArray.ids(ids), time, error])
        }
    }
}
