extension PostgresCatalog: PolicyStateStore {
    public func savePolicyState(_ state: PolicyState) throws {
        let columns = PolicyStateRows.columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let placeholders = (1...columns.count).map { $0 == 7 ? "$7::boolean" : "$\($0)" }.joined(separator: ", ")
        let updates = columns.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        try connection.retrying {
            try connection.query(
                "INSERT INTO policies (\(PolicyStateRows.columns)) VALUES (\(placeholders)) ON CONFLICT (policy) DO UPDATE SET \(updates)",
                PolicyStateRows.values(state))
        }
    }

    public func removePolicyState(policy: String) throws {
        try connection.retrying { try connection.query("DELETE FROM policies WHERE policy = $1", [policy]) }
    }

    public func removePolicyStates(except keep: [String], namespace: String?) throws -> Int {
        try connection.retrying {
            try connection.query(
                "DELETE FROM policies WHERE ($2::text IS NULL OR namespace = $2) AND NOT (policy = ANY($1::text[]))",
                [PostgresArray.texts(keep), namespace]
            ).affectedRows
        }
    }

    public func policyStates() throws -> [PolicyState] {
        try connection.retrying {
            try connection.query("SELECT \(PolicyStateRows.columns) FROM policies ORDER BY policy").rows { PolicyStateRows.state($0) }
        }
    }

    public func runSummary(policy: String) throws -> PolicyRunSummary {
        // One round trip: the newest run (index runs_policy) beside the policy's totals.
        let summary = try connection.retrying {
            try connection.query("""
                SELECT r.*, t.runs, t.files, t.bytes_in, t.bytes_out
                FROM (SELECT count(*) AS runs, coalesce(sum(files_compressed), 0) AS files, coalesce(sum(bytes_in), 0) AS bytes_in,
                             coalesce(sum(bytes_out), 0) AS bytes_out FROM runs WHERE policy = $1) t
                LEFT JOIN LATERAL (SELECT \(CatalogRows.runColumns) FROM runs WHERE policy = $1 ORDER BY id DESC LIMIT 1) r ON true
                """, [policy]).rows { PolicyStateRows.summary($0) }.first
        }
        return summary ?? PolicyRunSummary(lastRun: nil, runs: 0, files: 0, bytesIn: 0, bytesOut: 0)
    }
}
