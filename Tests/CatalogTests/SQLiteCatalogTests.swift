import Foundation
import Testing

@testable import Catalog

func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "pybak-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct SQLiteCatalogTests {
    let folder = temporaryFolder()

    func open() throws -> SQLiteCatalog {
        let catalog = try SQLiteCatalog(path: "\(folder)/catalog.sqlite")
        try catalog.migrate()
        return catalog
    }

    func file(_ runId: Int64, _ path: String, sha: String, kind: FileKind = .stored, duplicateOf: Int64? = nil) -> NewFile {
        NewFile(
            policy: "p", runId: runId, sourcePath: path, size: 10, mtimeNanos: 1, sha256: sha, destinationPath: "\(path)_X.gz",
            storedSize: 5, kind: kind, duplicateOf: duplicateOf, sourceDevice: 1, sourceInode: 2, disposition: .remove
        )
    }

    @Test func migratingTwiceIsHarmless() throws {
        let catalog = try open()
        try catalog.migrate()
        #expect(try catalog.runs(policy: nil, limit: 10).isEmpty)
    }

    @Test func runsRecordTheirOutcome() throws {
        let catalog = try open()
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

    @Test func pendingRowsBecomeStoredAndFindableByContent() throws {
        let catalog = try open()
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

    @Test func duplicatesAreNotContentSources() throws {
        let catalog = try open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let first = try catalog.recordPending([file(run, "a", sha: "aa")])[0]
        _ = try catalog.recordPending([file(run, "b", sha: "aa", kind: .duplicate, duplicateOf: first)])
        #expect(try catalog.storedCopy(policy: "p", sha256: "aa")?.id == first)
        #expect(try catalog.files(runId: run).count == 2)
    }

    @Test func logsFilterByLevelRunAndTime() throws {
        let catalog = try open()
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

    @Test func abandonedRunsAreMarkedFailed() throws {
        let catalog = try open()
        let id = try catalog.startRun(policy: "p", trigger: .schedule, passStamp: "S", startedAt: "t", host: "h")
        #expect(try catalog.failAbandonedRuns(policy: "p", finishedAt: "t2") == 1)
        #expect(try catalog.run(id: id)?.status == .failed)
        #expect(try catalog.run(id: id)?.error?.contains("interrupted") == true)
    }

    @Test func aCorruptCatalogSaysWhatToDo() throws {
        let path = "\(folder)/broken.sqlite"
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect {
            let catalog = try SQLiteCatalog(path: path)
            try catalog.migrate()
        } throws: { error in
            "\(error)".contains("corrupt or not a SQLite database") && "\(error)".contains("move it aside")
        }
    }
}

@Suite struct CatalogQueryTests {
    let folder = temporaryFolder()

    func seeded() throws -> SQLiteCatalog {
        let catalog = try SQLiteCatalog(path: "\(folder)/catalog.sqlite")
        try catalog.migrate()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "2026-01-01T00:00:00Z", host: "h")
        let paths = ["a/b.txt", "a/b.txt.bak", "a/bc/d.txt", "ab/x.txt", "x.txt", "100%_a/z"]
        let ids = try catalog.recordPending(paths.map {
            NewFile(
                policy: "p", runId: run, sourcePath: $0, size: 1, mtimeNanos: 1, sha256: $0, destinationPath: "\($0).gz.enc", storedSize: 1,
                kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 1, disposition: .kept, keyId: "k1-0123456789abcdef")
        })
        try catalog.markStored(ids: Array(ids.dropLast()))
        return catalog
    }

    @Test func migrationTwoAddsKeyIdAndVerification() throws {
        let catalog = try seeded()
        let rows = try catalog.files(matching: FileQuery())
        #expect(rows.count == 5 && rows.allSatisfy { $0.keyId == "k1-0123456789abcdef" && $0.verifiedAt == nil })
        try catalog.recordVerification(ids: [rows[0].id], at: "2026-01-02T00:00:00.000Z", error: "corrupt: x")
        let first = try #require(try catalog.files(matching: FileQuery(limit: 1)).first)
        #expect(first.verifiedAt == "2026-01-02T00:00:00.000Z" && first.verifyError == "corrupt: x")
    }

    @Test func prefixMatchesWholeFolderNamesOnly() throws {
        let catalog = try seeded()
        #expect(try catalog.files(matching: FileQuery(pathPrefix: "a")).map(\.sourcePath) == ["a/b.txt", "a/b.txt.bak", "a/bc/d.txt"])
        #expect(try catalog.files(matching: FileQuery(pathPrefix: "a/b.txt")).map(\.sourcePath) == ["a/b.txt"])
        #expect(try catalog.files(matching: FileQuery(pathPrefix: "100%_a/", storedOnly: false)).map(\.sourcePath) == ["100%_a/z"])
        #expect(try catalog.files(matching: FileQuery(pathPrefix: "100%_a/")).isEmpty)  // still pending
    }

    @Test func pathMatchesExactlyOrByFileName() throws {
        let catalog = try seeded()
        #expect(try catalog.files(matching: FileQuery(path: "x.txt")).map(\.sourcePath) == ["ab/x.txt", "x.txt"])
        #expect(try catalog.files(matching: FileQuery(path: "ab/x.txt")).map(\.sourcePath) == ["ab/x.txt"])
        #expect(try catalog.files(matching: FileQuery(path: "b.txt")).map(\.sourcePath) == ["a/b.txt"])
    }
}
