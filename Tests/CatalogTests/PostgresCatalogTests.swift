import Foundation
import Testing

@testable import Catalog

/// What only the PostgreSQL catalog does: locks shared by workers, reconnection, TLS, clear connection errors.
/// Every test runs against the real server of `PYBAK_TEST_DATABASE_URL` and fails without it.
@Suite struct PostgresCatalogTests {
    func open() throws -> PostgresCatalog {
        let catalog = try PostgresCatalog(target: try TestDatabase.freshSchema())
        try catalog.migrate()
        return catalog
    }

    func policyName() -> String { "policy-\(UUID().uuidString)" }

    @Test func aPolicyLockAdmitsOneWorkerAndEndsWithItsSession() throws {
        let target = try TestDatabase.freshSchema()
        let policy = policyName()
        var first: PostgresCatalog? = try PostgresCatalog(target: target)
        let second = try PostgresCatalog(target: target)
        #expect(try first!.lockPolicy(policy))
        #expect(try !second.lockPolicy(policy))
        #expect(try second.lockPolicy(policyName()))  // other policies are free
        try first!.unlockPolicy(policy)
        #expect(try second.lockPolicy(policy))
        try second.unlockPolicy(policy)
        #expect(try first!.lockPolicy(policy))
        first = nil  // the session ends (as when a worker is killed): the lock goes with it once the server sees it
        #expect(try eventually { try second.lockPolicy(policy) })
    }

    @Test func migrationsRunOnceWhenManyProcessesStartTogether() throws {
        let target = try TestDatabase.freshSchema()
        let failures = LockedList()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do { try PostgresCatalog(target: target).migrate() } catch { failures.append("\(error)") }
        }
        #expect(failures.items.isEmpty)
        let versions = try PostgresCatalog(target: target).connection.query("SELECT version FROM schema_migrations").rows { $0.int(0) }
        #expect(versions.sorted() == PostgresSchema.migrations.map { Int64($0.version) })
    }

    @Test func pathSearchCanUseTheTrigramIndexes() throws {
        let catalog = try open()
        let plan = try catalog.connection.retrying {
            try catalog.connection.execute("SET enable_seqscan = off")
            return try catalog.connection.query(
                "EXPLAIN SELECT id FROM files WHERE source_path ILIKE $1::text OR destination_path ILIKE $1::text", ["%file4242%"]
            ).rows { $0.text(0) }.joined(separator: "\n")
        }
        #expect(plan.contains("files_source_trgm") && plan.contains("files_destination_trgm"), "\(plan)")
    }

    @Test func aBrokenConnectionIsReopenedAndTheCallRerun() throws {
        let catalog = try open()
        catalog.connection.reconnectDelays = [0.05, 0.1]
        let policy = policyName()
        #expect(try catalog.lockPolicy(policy))
        let run = try catalog.startRun(policy: policy, trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        try terminateSessions(of: catalog)
        let ids = try catalog.recordPending([NewFile(
            policy: policy, runId: run, sourcePath: "a", size: 1, mtimeNanos: 1, sha256: "aa", destinationPath: "a_X.gz",
            storedSize: 1, kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 1, disposition: .remove
        )])
        #expect(try catalog.pendingFiles(policy: policy).map(\.id) == ids)
        // The new session took the policy lock again: another worker still cannot have it.
        let other = try PostgresCatalog(target: catalog.connection.target)
        #expect(try !other.lockPolicy(policy))
    }

    /// Right after a reconnect the old backend may still be exiting with the lock: the new session waits for it
    /// (ending it when it is still there) instead of stopping the pass. Which branch runs depends on timing.
    @Test func aReconnectRetakesTheLockFromItsOwnExitingSession() throws {
        let catalog = try open()
        catalog.connection.reconnectDelays = [0.05]
        let policy = policyName()
        #expect(try catalog.lockPolicy(policy))
        let old = try catalog.connection.query("SELECT pg_backend_pid()").rows { $0.int(0) }[0]
        // The client gives up on a session the server still runs (as after a network cut); the reset closes it.
        try catalog.connection.retrying {
            if try catalog.connection.query("SELECT pg_backend_pid()").rows({ $0.int(0) })[0] == old {
                throw ConnectionLost(message: "simulated network cut")
            }
        }
        let holders = try catalog.connection.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid = $1::oid", [AdvisoryLockKey.policy(policy).oidParameters[1]]).rows { $0.int(0) }
        let now = try catalog.connection.query("SELECT pg_backend_pid()").rows { $0.int(0) }[0]
        #expect(holders == [now] && now != old)
        let other = try PostgresCatalog(target: catalog.connection.target)
        #expect(try !other.lockPolicy(policy))
    }

    @Test func aLockHeldByAnotherWorkerAfterAReconnectStopsThePass() throws {
        let catalog = try open()
        catalog.connection.reconnectDelays = [0.05]
        let policy = policyName()
        #expect(try catalog.lockPolicy(policy))
        try terminateSessions(of: catalog)
        let other = try PostgresCatalog(target: catalog.connection.target)
        #expect(try eventually { try other.lockPolicy(policy) })
        #expect {
            _ = try catalog.runs(policy: nil, limit: 1)
        } throws: { error in
            "\(error)".contains("another worker took the lock of policy '\(policy)'") && "\(error)".contains("this pass stops")
        }
    }

    @Test func aRetriedInsertWritesNothingTwice() throws {
        let catalog = try open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let record = LogRecord(time: "2026-01-01T00:00:00.000Z", level: "info", runId: run, policy: "p", message: "once", metadata: "{}")
        // The commit reached the server but its answer was lost: the call runs again with the same ids.
        var attempts = 0
        try catalog.connection.retrying {
            attempts += 1
            try catalog.connection.query("INSERT INTO logs (id, time, level, level_rank, run_id, policy, message, metadata) VALUES (424242, $1, 'info', 2, $2, 'p', 'once', '{}') ON CONFLICT (id) DO NOTHING", [record.time, "\(run)"])
            if attempts == 1 { throw ConnectionLost(message: "simulated loss after the commit") }
        }
        #expect(attempts == 2)
        #expect(try catalog.logs(LogQuery(runId: run)).map(\.message) == ["once"])
    }

    @Test func aDownServerIsNamedWithoutThePassword() throws {
        let started = Date()
        #expect {
            _ = try PostgresCatalog(target: DatabaseTarget(url: "postgresql://pybak:s3cret-pw@127.0.0.1:1/archive?connect_timeout=3"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("postgresql://pybak@127.0.0.1:1/archive") && text.contains("check that the server is running") && !text.contains("s3cret-pw")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aWrongPasswordFromTheFileIsRefusedAndARightOneWorks() throws {
        let base = try TestDatabase.url()
        var components = URLComponents(string: base)!
        components.password = nil
        let bare = components.string!
        #expect(throws: CatalogError.self) { try PostgresCatalog(target: DatabaseTarget(url: bare, password: "wrong")) }
        let password = URLComponents(string: base)!.password ?? ""
        let catalog = try PostgresCatalog(target: DatabaseTarget(url: bare, password: password))
        #expect(try catalog.connection.query("SELECT current_user").rows { $0.text(0) } == [components.user ?? ""])
        #expect(catalog.connection.target.display.contains("@127.0.0.1") && !catalog.connection.target.display.contains(password))
    }

    @Test func sslmodeRequireGivesAnEncryptedSession() throws {
        let target = try DatabaseTarget(url: TestDatabase.with(try TestDatabase.url(), "sslmode=require"))
        let catalog = try PostgresCatalog(target: target)
        #expect(try catalog.connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows { $0.bool(0) } == [true])
    }

    @Test func aBadURLIsRefusedWithoutEchoingIt() throws {
        #expect {
            _ = try DatabaseTarget(url: "postgresql://u:hunter2@h:5432/db?nosuchoption=1")
        } throws: { error in
            "\(error)".contains("not valid") && !"\(error)".contains("hunter2")
        }
    }

    /// True once `check` is, polling for up to five seconds (a backend releases its locks as it exits, just after the client left).
    func eventually(_ check: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if try check() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try check()
    }

    /// Ends every session of the catalog's schema from another connection (what a server restart does).
    func terminateSessions(of catalog: PostgresCatalog) throws {
        let pid = try catalog.connection.query("SELECT pg_backend_pid()").rows { $0.int(0) }[0]
        let admin = try PostgresConnection(target: DatabaseTarget(url: try TestDatabase.url()))
        try admin.query("SELECT pg_terminate_backend($1::int)", ["\(pid)"])
    }
}

/// A list appended to from several threads.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ item: String) { lock.withLock { storage.append(item) } }
    var items: [String] { lock.withLock { storage } }
}
