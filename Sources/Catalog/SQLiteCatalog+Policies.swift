extension SQLiteCatalog: PolicyStateStore {
    public func savePolicyState(_ state: PolicyState) throws {
        let count = PolicyStateRows.columns.split(separator: ",").count
        let values: [SQLiteValue] = PolicyStateRows.values(state).enumerated().map { index, value in
            index == 6 ? .int(state.suspended ? 1 : 0) : value.map { .text($0) } ?? .null
        }
        try db.statement("INSERT OR REPLACE INTO policies (\(PolicyStateRows.columns)) VALUES (\((1...count).map { "?\($0)" }.joined(separator: ", ")))")
            .bind(values).run()
    }

    public func removePolicyState(policy: String) throws {
        try db.statement("DELETE FROM policies WHERE policy = ?1").bind(.text(policy)).run()
    }

    public func removePolicyStates(except keep: [String], namespace: String?) throws -> Int {
        let keep = Set(keep)
        let doomed = try policyStates().filter { !keep.contains($0.policy) && (namespace == nil || $0.namespace == namespace) }
        try db.transaction {
            for state in doomed { try removePolicyState(policy: state.policy) }
        }
        return doomed.count
    }

    public func policyStates() throws -> [PolicyState] {
        try db.statement("SELECT \(PolicyStateRows.columns) FROM policies ORDER BY policy").rows { PolicyStateRows.state($0) }
    }

    public func runSummary(policy: String) throws -> PolicyRunSummary {
        let last = try runs(policy: policy, limit: 1).first
        let totals = try db.statement("""
            SELECT count(*), coalesce(sum(files_compressed), 0), coalesce(sum(bytes_in), 0), coalesce(sum(bytes_out), 0) FROM runs WHERE policy = ?1
            """).bind(.text(policy)).rows { ($0.int(0), $0.int(1), $0.int(2), $0.int(3)) }.first ?? (0, 0, 0, 0)
        return PolicyRunSummary(lastRun: last, runs: totals.0, files: totals.1, bytesIn: totals.2, bytesOut: totals.3)
    }
}
