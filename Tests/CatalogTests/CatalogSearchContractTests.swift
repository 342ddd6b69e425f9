import Foundation
import Testing

@testable import Catalog

/// The API's reads (runs, file search, log pages, policy names), against SQLite and a real PostgreSQL server.
@Suite struct CatalogSearchContractTests {
    func file(_ policy: String, _ run: Int64, _ path: String, sha: String) -> NewFile {
        NewFile(
            policy: policy, runId: run, sourcePath: path, size: 10, mtimeNanos: 1, sha256: sha, destinationPath: "\(path)_X.gz",
            storedSize: 5, kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 2, disposition: .remove
        )
    }

    @Test(arguments: CatalogBackend.allCases) func runsFilterAndPageNewestFirst(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let a = try catalog.startRun(policy: "search-a", trigger: .manual, passStamp: "S", startedAt: "2026-01-01T00:00:00.000Z", host: "h")
        try catalog.finishRun(id: a, status: .succeeded, counts: RunCounts(), finishedAt: "2026-01-01T00:00:01.000Z", error: nil)
        let b = try catalog.startRun(policy: "search-a", trigger: .api, passStamp: "S", startedAt: "2026-01-02T00:00:00.000Z", host: "h")
        let c = try catalog.startRun(policy: "search-b", trigger: .schedule, passStamp: "S", startedAt: "2026-01-03T00:00:00.000Z", host: "h")
        #expect(try catalog.runs(RunQuery(policy: "search-a")).map(\.id) == [b, a])
        #expect(try catalog.runs(RunQuery(policy: "search-a", status: .succeeded)).map(\.id) == [a])
        #expect(try catalog.runs(RunQuery(policy: "search-a", beforeId: b)).map(\.id) == [a])
        #expect(try catalog.runs(RunQuery(since: "2026-01-02T00:00:00.000Z", until: "2026-01-03T00:00:00.000Z")).map(\.id) == [b])
        #expect(try catalog.runs(RunQuery(since: "2026-01-01T00:00:00.000Z", limit: 1)).map(\.id) == [c])
        let names = try catalog.policyNames()
        #expect(names.contains("search-a") && names.contains("search-b") && names == names.sorted())
    }

    @Test(arguments: CatalogBackend.allCases) func fileSearchTakesPatternCharactersLiterally(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "search-f", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let ids = try catalog.recordPending([
            file("search-f", run, "Jan/100%.csv", sha: "abc1"), file("search-f", run, "jan/a_b.csv", sha: "abd2"), file("search-f", run, "feb/axb.csv", sha: "ffe3"),
        ])
        #expect(try catalog.searchFiles(FileSearch(policy: "search-f", path: "100%")).map(\.id) == [ids[0]])
        #expect(try catalog.searchFiles(FileSearch(policy: "search-f", path: "a_b")).map(\.id) == [ids[1]])
        #expect(try catalog.searchFiles(FileSearch(policy: "search-f", path: "JAN/")).map(\.id) == [ids[1], ids[0]])
        #expect(try catalog.searchFiles(FileSearch(policy: "search-f", sha256: "AB")).map(\.id) == [ids[1], ids[0]])
        #expect(try catalog.searchFiles(FileSearch(policy: "search-f", beforeId: ids[2], limit: 1)).map(\.id) == [ids[1]])
    }

    @Test(arguments: CatalogBackend.allCases) func pathSearchThroughTheIndexIsASubstringSearch(backend: CatalogBackend) throws {
        // Migration 6's index (PostgreSQL pg_trgm; SQLite scans) must not change what a search finds.
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "search-i", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let ids = try catalog.recordPending([
            file("search-i", run, "deep/Report \"Q1\".CSV", sha: "aa01"), file("search-i", run, "deep/report-q2.csv", sha: "aa02"),
            file("search-i", run, "other/x.txt", sha: "aa03"),
        ])
        let found = { (text: String) in try catalog.searchFiles(FileSearch(policy: "search-i", path: text)).map(\.id) }
        #expect(try found("report") == [ids[1], ids[0]])
        #expect(try found("\"q1\".csv") == [ids[0]])
        #expect(try found("RT-Q") == [ids[1]])
        #expect(try found("/x") == [ids[2]])  // shorter than a trigram: still found
        #expect(try found(".txt_X.gz") == [ids[2]])  // the destination path
        #expect(try found("report-q3") == [])
        #expect(try found("rep\u{0}ort") == [])  // NUL is searched literally, not an error
        try catalog.dropPending(ids: [ids[1]])
        #expect(try found("report") == [ids[0]])
        let later = try catalog.recordPending([file("search-i", run, "deep/report-q3.csv", sha: "aa04")])
        #expect(try found("report-q3") == later)
    }

    @Test(arguments: CatalogBackend.allCases) func logPagesCarryIdsAndSearchText(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        try catalog.appendLogs((0..<5).map {
            LogRecord(time: "2026-02-01T00:00:0\($0).000Z", level: "info", runId: nil, policy: "search-l", message: $0 == 3 ? "Disk Full" : "line \($0)",
                      metadata: "{\"file.path\":\"f\($0)\"}")
        })
        let all = try catalog.logs(LogQuery(policy: "search-l"))
        #expect(all.count == 5 && all.allSatisfy { $0.id != nil })
        let ids = all.compactMap(\.id)
        #expect(ids == ids.sorted())
        #expect(try catalog.logs(LogQuery(policy: "search-l", limit: 2, afterId: ids[1])).map(\.id) == [ids[2], ids[3]])
        #expect(try catalog.logs(LogQuery(policy: "search-l", limit: 2, afterId: ids[3], newestFirst: true)).map(\.id) == [ids[2], ids[1]])
        #expect(try catalog.logs(LogQuery(policy: "search-l", text: "disk")).map(\.message) == ["Disk Full"])
        #expect(try catalog.logs(LogQuery(policy: "search-l", text: "f4")).map(\.message) == ["line 4"])
    }
}
