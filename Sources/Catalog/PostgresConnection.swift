import CLibPQ
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Raised when the server went away during a statement; `retrying` reconnects and runs the work again.
struct ConnectionLost: Error, CustomStringConvertible {
    var message: String

    var description: String { "lost the connection to the PostgreSQL catalog (\(message)); check the server and run again" }
}

/// One libpq connection, used from one thread at a time; finished in `deinit`.
///
/// Every statement goes through `query` with its values as parameters (PQexecParams), never in the SQL text.
/// A statement that fails because the connection broke throws `ConnectionLost`; `retrying` then reconnects
/// with capped backoff, takes its session advisory locks again, and reruns the work (which must be idempotent).
final class PostgresConnection {
    private var handle: OpaquePointer?
    /// The server, for error messages (never holds the password).
    let target: DatabaseTarget
    /// Seconds waited before each reconnection attempt.
    var reconnectDelays: [Double] = [0.25, 0.5, 1, 2, 2]
    /// Set when reconnecting failed: later calls try once, without waiting, so a stopping pass is not slowed.
    private var gaveUp = false
    /// Where reconnections are reported (the pass's logger, once it has one).
    var logger: Logger?
    /// Session advisory locks held, with what each guards, to take again after a reconnect.
    private var sessionLocks: [AdvisoryLockKey: String] = [:]

    /// Connects.
    /// - Throws: `CatalogError` naming the server (user, host, port, database) and what to check.
    init(target: DatabaseTarget) throws {
        self.target = target
        var keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        var values = ["10", "pybak", target.conninfo]
        if let password = target.password {
            keywords.append("password")
            values.append(password)
        }
        let conn = Self.withCStringArray(keywords) { keys in Self.withCStringArray(values) { PQconnectdbParams(keys, $0, 1) } }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let reason = conn.map { String(cString: PQerrorMessage($0)).trimmedLine } ?? "out of memory"
            PQfinish(conn)
            throw CatalogError(
                "cannot connect to the PostgreSQL catalog \(target.display): \(reason); check that the server is running and reachable, and the URL and password (--database, --database-password-file)"
            )
        }
        PQsetNoticeProcessor(conn, { _, _ in }, nil)  // NOTICEs (e.g. from IF NOT EXISTS) are not for stderr
        handle = conn
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with text parameters `$1`, `$2`...
    /// - Throws: `ConnectionLost` when the connection broke; `CatalogError` with the server's words otherwise.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { throw ConnectionLost(message: "the connection is closed") }
        let copies = parameters.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        return try check(PQexecParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0))
    }

    /// Runs SQL without parameters that may hold several statements (migrations).
    func execute(_ sql: String) throws {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { throw ConnectionLost(message: "the connection is closed") }
        _ = try check(PQexec(handle, sql))
    }

    /// The one place libpq results become errors.
    private func check(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else {
            throw ConnectionLost(message: handle.map { String(cString: PQerrorMessage($0)).trimmedLine } ?? "no connection")
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return PostgresResult(result) }
        let sqlstate = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message = String(cString: PQresultErrorMessage(result)).trimmedLine
        PQclear(result)
        if PQstatus(handle) != CONNECTION_OK || sqlstate.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlstate) {
            throw ConnectionLost(message: message.isEmpty ? "the server closed the connection" : message)
        }
        throw CatalogError("the PostgreSQL catalog \(target.display) refused a statement (SQLSTATE \(sqlstate)): \(message)")
    }

    /// Runs `body` in one transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            if !(error is ConnectionLost) { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    /// Runs idempotent work; when the connection breaks, reconnects with capped backoff and runs it again.
    /// - Throws: `CatalogError` once reconnecting failed, saying the pass stops and what stays in place.
    @discardableResult
    func retrying<T>(_ body: () throws -> T) throws -> T {
        var reruns = 0
        while true {
            do {
                return try body()
            } catch let lost as ConnectionLost {
                reruns += 1
                if reruns > reconnectDelays.count { throw lostFor(lost, attempts: reruns - 1, last: lost.message) }
                try reconnect(after: lost)
            }
        }
    }

    private func reconnect(after lost: ConnectionLost) throws {
        let delays = gaveUp ? [0] : reconnectDelays
        var last = lost.message
        logger?.warning("catalog connection lost; reconnecting", metadata: ["catalog.server": "\(target.display)", "reason": "\(lost.message)"])
        let previousSession = PQbackendPID(handle)
        for (attempt, delay) in delays.enumerated() {
            if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
            PQreset(handle)
            if PQstatus(handle) == CONNECTION_OK {
                do {
                    try retakeLocks(previousSession: previousSession)
                } catch let again as ConnectionLost {
                    last = again.message
                    continue
                }
                gaveUp = false
                logger?.notice("catalog connection restored", metadata: ["catalog.server": "\(target.display)", "attempts": "\(attempt + 1)"])
                return
            }
            last = handle.map { String(cString: PQerrorMessage($0)).trimmedLine } ?? last
        }
        gaveUp = true
        throw lostFor(lost, attempts: delays.count, last: last)
    }

    private func lostFor(_ lost: ConnectionLost, attempts: Int, last: String) -> CatalogError {
        let waited = gaveUp ? 0 : reconnectDelays.prefix(attempts).reduce(0, +)
        return CatalogError(
            "lost the connection to the PostgreSQL catalog \(target.display) (\(lost.message)); \(attempts) reconnection attempts over \(waited)s failed (\(last)). The pass stops; files not yet committed stay in the source for the next pass. Check the server"
        )
    }

    /// Tries to take a session advisory lock; it lasts until `unlock` or the session's end.
    func tryLock(_ key: AdvisoryLockKey, guarding what: String) throws -> Bool {
        let taken = try retrying { try tryLockQuery(key) }
        if taken { sessionLocks[key] = what }
        return taken
    }

    /// Gives a session advisory lock back.
    func unlock(_ key: AdvisoryLockKey) throws {
        guard sessionLocks.removeValue(forKey: key) != nil else { return }
        try query("SELECT pg_advisory_unlock($1::int, $2::int)", key.parameters)
    }

    /// After a reconnect the old session's locks are gone, or going: take them again, or stop if another worker has one.
    ///
    /// The server ends the old session on its own time (at once after a restart; after a network cut, when it
    /// notices). While that session still holds a lock it is ended here, but only if it is this process's own
    /// previous session (its backend pid) and holds exactly that lock.
    private func retakeLocks(previousSession: Int32) throws {
        for (key, what) in sessionLocks {
            var taken = try tryLockQuery(key)
            let deadline = WallClockText.monotonic() + 5
            while !taken && previousSession != 0 && WallClockText.monotonic() < deadline {
                let ours = try query("""
                    SELECT pg_terminate_backend(pid) FROM pg_locks
                    WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid AND objsubid = 2 AND granted AND pid = $3::int
                    """, key.oidParameters + ["\(previousSession)"]).count
                guard ours > 0 else { break }
                usleep(50_000)
                taken = try tryLockQuery(key)
            }
            if !taken {
                sessionLocks[key] = nil
                throw CatalogError(
                    "while the connection to the PostgreSQL catalog \(target.display) was down another worker took \(what); this pass stops and files not yet committed stay in the source"
                )
            }
        }
    }

    private func tryLockQuery(_ key: AdvisoryLockKey) throws -> Bool {
        try query("SELECT pg_try_advisory_lock($1::int, $2::int)", key.parameters).rows { $0.bool(0) }.first ?? false
    }

    /// Calls `body` with a NULL-terminated array of C strings.
    private static func withCStringArray<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The two 32-bit keys of a PostgreSQL advisory lock (`pg_try_advisory_lock(int, int)`).
struct AdvisoryLockKey: Hashable {
    var space: Int32
    var object: Int32

    /// Serialises migrations of one database.
    static let migrations = AdvisoryLockKey(space: 0x5059_424D, object: 0)  // "PYBM"

    /// One worker per policy: FNV-1a (32 bits) of the policy name, in pybak's own key space.
    static func policy(_ name: String) -> AdvisoryLockKey {
        var hash: UInt32 = 0x811C_9DC5
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash &*= 0x0100_0193
        }
        return AdvisoryLockKey(space: 0x5059_4250, object: Int32(bitPattern: hash))  // "PYBP"
    }

    var parameters: [String?] { ["\(space)", "\(object)"] }
    /// The keys as `pg_locks` shows them (`classid`, `objid`: unsigned).
    var oidParameters: [String?] { ["\(UInt32(bitPattern: space))", "\(UInt32(bitPattern: object))"] }
}
