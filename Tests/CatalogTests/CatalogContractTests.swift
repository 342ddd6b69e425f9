import Foundation
import Testing

@testable import Catalog

/// What every catalog must do, run against SQLite and a real PostgreSQL server.
@Suite struct CatalogContractTests {

    func file(_ runId: Int64, _ path: String, sha: String, kind: FileKind = .stored, duplicateOf: Int64? = nil) -> NewFile {
        NewFile(
            policy: "p", runId: runId, sourcePath: path, size: 10, mtimeNanos: 1, sha256: sha, destinationPath: "\(path)_X.gz",
            storedSize: 5, kind: kind, duplicateOf: duplicateOf, sourceDevice: 1, sourceInode: 2, disposition: .remove
        )
    }

    @Test(arguments: CatalogBackend.allCases) func migratingTwiceIsHarmless(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        try catalog.migrate()
        #expect(try catalog.runs(policy: nil, limit: 10).isEmpty)
    }

    @Test(arguments: CatalogBackend.allCases) func runsRecordTheirOutcome(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let id = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "2026-01-01T00:00:00Z", host: "h")
        #expect(try catalog.run(id: id)?.status == .running)
        var counts = RunCounts()
        counts.compressed = 3
        counts.bytesIn = 300
        counts.bytesOut = 100
        try catalog.finishRun(id: id, status: .partial, counts: counts, finishedAt: "2026-01-01T00:00:01Z", error: nil)
        let run = try #require(try catalog.lastRun(policy: "p"))
        #expect(run.status == .partial && run.counts == counts && run.counts.ratio == 3)
        #expect(try catalog.lastRun(policy: "other") == nil)
    }

    @Test(arguments: CatalogBackend.allCases) func pendingRowsBecomeStoredAndFindableByContent(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let ids = try catalog.recordPending([file(run, "a", sha: "aa"), file(run, "b", sha: "bb")])
        #expect(ids.count == 2)
        #expect(try catalog.pendingFiles(policy: "p").map(\.id) == ids)
        #expect(try catalog.storedCopy(policy: "p", sha256: "aa")?.id == ids[0])  // pending rows count: no double store
        try catalog.markStored(ids: [ids[0]])
        try catalog.dropPending(ids: [ids[1]])
        #expect(try catalog.pendingFiles(policy: "p").isEmpty)
        #expect(try catalog.storedCopy(policy: "p", sha256: "bb") == nil)
        #expect(try catalog.storedCopy(policy: "q", sha256: "aa") == nil)
        #expect(try catalog.filesAwaitingRemoval(policy: "p").map(\.id) == [ids[0]])
        try catalog.setDisposition(.removed, ids: [ids[0]])
        #expect(try catalog.filesAwaitingRemoval(policy: "p").isEmpty)
        #expect(try catalog.latestEntry(policy: "p", sourcePath: "a")?.disposition == .removed)
    }

    @Test(arguments: CatalogBackend.allCases) func duplicatesAreNotContentSources(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let first = try catalog.recordPending([file(run, "a", sha: "aa")])[0]
        _ = try catalog.recordPending([file(run, "b", sha: "aa", kind: .duplicate, duplicateOf: first)])
        #expect(try catalog.storedCopy(policy: "p", sha256: "aa")?.id == first)
        #expect(try catalog.files(runId: run).count == 2)
    }

    @Test(arguments: CatalogBackend.allCases) func logsFilterByLevelRunAndTime(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        try catalog.appendLogs([
            LogRecord(time: "2026-01-01T00:00:00.000Z", level: "info", runId: 1, policy: "p", message: "a", metadata: "{}"),
            LogRecord(time: "2026-01-01T00:00:01.000Z", level: "error", runId: 1, policy: "p", message: "b", metadata: "{}"),
            LogRecord(time: "2026-01-01T00:00:02.000Z", level: "warning", runId: 2, policy: "q", message: "c", metadata: "{}"),
        ])
        #expect(try catalog.logs(LogQuery(minimumLevel: "warning")).map(\.message) == ["b", "c"])
        #expect(try catalog.logs(LogQuery(runId: 1)).map(\.message) == ["a", "b"])
        #expect(try catalog.logs(LogQuery(policy: "q")).map(\.message) == ["c"])
        #expect(try catalog.logs(LogQuery(since: "2026-01-01T00:00:01.000Z", until: "2026-01-01T00:00:02.000Z")).map(\.message) == ["b"])
    }

    @Test(arguments: CatalogBackend.allCases) func abandonedRunsAreMarkedFailed(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let id = try catalog.startRun(policy: "p", trigger: .schedule, passStamp: "S", startedAt: "t", host: "h")
        #expect(try catalog.failAbandonedRuns(policy: "p", finishedAt: "t2") == 1)
        #expect(try catalog.run(id: id)?.status == .failed)
        #expect(try catalog.run(id: id)?.error?.contains("interrupted") == true)
    }

    @Test(arguments: CatalogBackend.allCases) func storedCopiesAnswerManyContentsAtOnce(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let ids = try catalog.recordPending([file(run, "a", sha: "aa"), file(run, "b", sha: "bb"), file(run, "c", sha: "aa\"q")])
        _ = try catalog.recordPending([file(run, "d", sha: "bb", kind: .duplicate, duplicateOf: ids[1])])
        let found = try catalog.storedCopies(policy: "p", sha256s: ["aa", "bb", "zz", "aa", "aa\"q"])
        #expect(found.mapValues(\.id) == ["aa": ids[0], "bb": ids[1], "aa\"q": ids[2]])
        #expect(try catalog.storedCopies(policy: "q", sha256s: ["aa"]).isEmpty)
        #expect(try catalog.storedCopies(policy: "p", sha256s: []).isEmpty)
    }

    @Test(arguments: CatalogBackend.allCases) func rowsKeepEveryFieldAndUnicodeNames(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .api, passStamp: "20260101T000000Z", startedAt: "2026-01-01T00:00:00Z", host: "pod-1")
        var new = file(run, "dossier/été 'quoted' \\ $1.csv", sha: String(repeating: "ab", count: 32))
        new.size = 1 << 40
        new.mtimeNanos = 1_790_000_000_123_456_789
        new.sourceDevice = 2049
        new.sourceInode = 9_000_000_001
        new.disposition = .kept
        let id = try catalog.recordPending([new])[0]
        let row = try #require(try catalog.files(runId: run).first)
        #expect(row.id == id && row.policy == "p" && row.runId == run && row.sourcePath == new.sourcePath && row.size == new.size)
        #expect(row.mtimeNanos == new.mtimeNanos && row.sha256 == new.sha256 && row.destinationPath == new.destinationPath)
        #expect(row.storedSize == 5 && row.kind == .stored && row.duplicateOf == nil && row.state == .pending)
        #expect(row.sourceDevice == 2049 && row.sourceInode == 9_000_000_001 && row.disposition == .kept && !row.createdAt.isEmpty)
        let stored = try #require(try catalog.run(id: run))
        #expect(stored.trigger == .api && stored.host == "pod-1" && stored.passStamp == "20260101T000000Z" && stored.finishedAt == nil)
        #expect(row.archiveMember == nil)
    }

    @Test(arguments: CatalogBackend.allCases) func archiveRowsKeepTheirMemberAndDuplicatesFindIt(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        var member = file(run, "dossier/été.csv", sha: "cc")
        member.destinationPath = "pybak_20260101T000000Z.zip"
        member.archiveMember = "dossier/été.csv"
        let id = try catalog.recordPending([member])[0]
        try catalog.markStored(ids: [id])
        #expect(try catalog.files(runId: run).first?.archiveMember == "dossier/été.csv")
        let found = try #require(try catalog.storedCopies(policy: "p", sha256s: ["cc"])["cc"])
        #expect(found.destinationPath == member.destinationPath && found.archiveMember == member.archiveMember)
    }

    @Test(arguments: CatalogBackend.allCases) func problemsAndFilesReadBackInPathOrder(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        _ = try catalog.recordPending([file(run, "b", sha: "1"), file(run, "B", sha: "2"), file(run, "a", sha: "3")])
        #expect(try catalog.files(runId: run).map(\.sourcePath) == ["B", "a", "b"])
        try catalog.recordProblems([
            RunProblem(runId: run, path: "z", outcome: .skipped, reason: "young"),
            RunProblem(runId: run, path: "y", outcome: .failed, reason: "unreadable"),
            RunProblem(runId: run, path: "x", outcome: .skipped, reason: "fifo"),
        ])
        #expect(try catalog.problems(runId: run).map(\.path) == ["y", "x", "z"])
        #expect(try catalog.problems(runId: run).first?.reason == "unreadable")
    }

    @Test(arguments: CatalogBackend.allCases) func largeBatchesKeepTheirOrder(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let files = (0..<2_500).map { file(run, String(format: "f%05d", $0), sha: "sha\($0)") }
        let ids = try catalog.recordPending(files)
        #expect(ids.count == 2_500 && ids == ids.sorted())
        let rows = try catalog.files(runId: run)
        #expect(rows.map(\.id) == ids && rows.map(\.sha256) == files.map(\.sha256))
        try catalog.markStored(ids: ids)
        #expect(try catalog.pendingFiles(policy: "p").isEmpty)
        #expect(try catalog.filesAwaitingRemoval(policy: "p").count == 2_500)
        try catalog.appendLogs((0..<3_000).map {
            LogRecord(time: "2026-01-01T00:00:00.000Z", level: "info", runId: run, policy: "p", message: "m\($0)", metadata: "{\"i\":\"\($0)\"}")
        })
        let logs = try catalog.logs(LogQuery(runId: run, limit: 5_000))
        #expect(logs.count == 3_000 && logs.first?.message == "m0" && logs.last?.message == "m2999" && logs.last?.metadata == "{\"i\":\"2999\"}")
    }

    @Test(arguments: CatalogBackend.allCases) func schemaVersionIsTheNewestMigration(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let newest = backend == .sqlite ? SQLiteSchema.migrations.last!.version : PostgresSchema.migrations.last!.version
        #expect(newest > 1)
        #expect(try catalog.schemaVersion() == newest)
    }

    @Test func bothBackendsHaveTheSameMigrations() {
        #expect(SQLiteSchema.migrations.map(\.version) == PostgresSchema.migrations.map(\.version))
        #expect(SQLiteSchema.migrations.map(\.name) == PostgresSchema.migrations.map(\.name))
    }
}
