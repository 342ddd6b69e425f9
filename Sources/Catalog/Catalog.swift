/// The record of every run, file and log line. SQLite locally; PostgreSQL in a cluster.
///
/// Implementations are used from one thread at a time; the pipeline serialises its calls.
/// Every write that the pipeline's safety depends on is durable when the call returns.
public protocol Catalog: AnyObject {
    /// Applies pending schema migrations.
    func migrate() throws
    /// The newest applied migration (0 before `migrate`).
    func schemaVersion() throws -> Int

    /// Starts a run and returns its id.
    func startRun(policy: String, trigger: RunTrigger, passStamp: String, startedAt: String, host: String) throws -> Int64
    /// Records how a run ended.
    func finishRun(id: Int64, status: RunStatus, counts: RunCounts, finishedAt: String, error: String?) throws

    /// The stored (not duplicate) copy of this content for the policy, if any, pending or stored.
    func storedCopy(policy: String, sha256: String) throws -> FileRecord?
    /// The stored copies of several contents at once (one round trip on a server): sha256 -> oldest stored row.
    func storedCopies(policy: String, sha256s: [String]) throws -> [String: FileRecord]
    /// The newest row for a source path of the policy.
    func latestEntry(policy: String, sourcePath: String) throws -> FileRecord?

    /// Records files as `pending` in one transaction, before their copies are renamed into place.
    /// - Returns: the new row ids, in order.
    func recordPending(_ files: [NewFile]) throws -> [Int64]
    /// Marks rows `stored`: their copies are durable in place.
    func markStored(ids: [Int64]) throws
    /// Drops pending rows whose copies never reached their place.
    func dropPending(ids: [Int64]) throws
    /// Records what happened to the sources of these rows.
    func setDisposition(_ disposition: SourceDisposition, ids: [Int64]) throws

    /// Rows left `pending` by an interrupted pass.
    func pendingFiles(policy: String) throws -> [FileRecord]
    /// Stored rows whose sources were to be removed but may not have been.
    func filesAwaitingRemoval(policy: String) throws -> [FileRecord]

    /// Records what a run skipped or failed.
    func recordProblems(_ problems: [RunProblem]) throws
    /// Appends log lines.
    func appendLogs(_ records: [LogRecord]) throws

    /// One run.
    func run(id: Int64) throws -> RunRecord?
    /// The newest run of a policy (any policy when nil).
    func lastRun(policy: String?) throws -> RunRecord?
    /// Runs, newest first.
    func runs(policy: String?, limit: Int) throws -> [RunRecord]
    /// The files a run catalogued.
    func files(runId: Int64) throws -> [FileRecord]
    /// One page of the files a run catalogued, in `files(runId:)` order (source path, then id): at most `limit` rows
    /// after `cursor` (from the start when nil). `forEachFile(runId:)` walks every page.
    func files(runId: Int64, after cursor: RunFilesCursor?, limit: Int) throws -> [FileRecord]
    /// What a run skipped or failed.
    func problems(runId: Int64) throws -> [RunProblem]
    /// Log lines, oldest first (newest first when `query.newestFirst`), with their ids.
    func logs(_ query: LogQuery) throws -> [LogRecord]
    /// Takes this process's exclusive claim on a policy: false when another worker holds it.
    ///
    /// PostgreSQL: a session advisory lock, so several workers sharing one catalog never run one policy at
    /// once, and a killed worker's claim ends with its session. SQLite: always true (the destination's lock
    /// already serialises passes that share a catalog file).
    func lockPolicy(_ policy: String) throws -> Bool
    /// Gives the claim back (it also ends with the process).
    func unlockPolicy(_ policy: String) throws
    /// Catalogued files matching a query, oldest first (by id).
    func files(matching query: FileQuery) throws -> [FileRecord]
    /// Records that `pybak verify` read the copy of these rows: `error` nil when it passed.
    func recordVerification(ids: [Int64], at time: String, error: String?) throws
    /// Marks rows as removed by `pybak prune` (their copies are deleted after this returns).
    func markPruned(ids: [Int64], at time: String) throws
    /// Runs matching the filters, newest first.
    func runs(_ query: RunQuery) throws -> [RunRecord]
    /// Files matching the filters, newest first.
    func searchFiles(_ query: FileSearch) throws -> [FileRecord]
    /// The names of the policies that have runs, sorted.
    func policyNames() throws -> [String]
    /// Marks runs still `running` as failed: their process is gone (the caller holds the lock).
    func failAbandonedRuns(policy: String, finishedAt: String) throws -> Int
}

/// An error from the catalog, naming the database and what to do.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the database's own words.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
