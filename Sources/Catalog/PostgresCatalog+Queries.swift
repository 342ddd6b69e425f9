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
        try files("WHERE run_id = $1 ORDER BY source_path, id", ["\(runId)"])
    }

    public func files(runId: Int64, after cursor: RunFilesCursor?, limit: Int) throws -> [FileRecord] {
        // Keyset paging on the files_run_source index: each page starts where the last one ended, without OFFSET.
        guard let cursor else {
            return try files("WHERE run_id = $1 ORDER BY source_path, id LIMIT $2::bigint", ["\(runId)", "\(limit)"])
        }
        return try files(
            "WHERE run_id = $1 AND (source_path, id) > ($2::text, $3::bigint) ORDER BY source_path, id LIMIT $4::bigint",
            ["\(runId)", cursor.sourcePath, "\(cursor.id)", "\(limit)"])
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
