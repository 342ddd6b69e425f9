/// What became of a run's report e-mail (`runs.email_status`, migration 3).
public protocol ReportDeliveryLog: AnyObject {
    /// Records `sent to ...`, `not sent: <reason>` or `skipped (...)` for a run.
    func recordEmail(runId: Int64, status: String) throws
    /// The recorded status, if any.
    func emailStatus(runId: Int64) throws -> String?
}

extension SQLiteCatalog: ReportDeliveryLog {
    public func recordEmail(runId: Int64, status: String) throws {
        try db.statement("UPDATE runs SET email_status = ?2 WHERE id = ?1").bind(.int(runId), .text(status)).run()
    }

    public func emailStatus(runId: Int64) throws -> String? {
        try db.statement("SELECT email_status FROM runs WHERE id = ?1").bind(.int(runId)).rows { $0.optionalText(0) }.first ?? nil
    }
}
