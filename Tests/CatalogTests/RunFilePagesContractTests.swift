import Foundation
import Testing

@testable import Catalog

/// `files(runId:after:limit:)` and `forEachFile(runId:)`: a run's files page by page, against SQLite and a real PostgreSQL server.
@Suite struct RunFilePagesContractTests {
    func file(_ runId: Int64, _ path: String, sha: String) -> NewFile {
        NewFile(
            policy: "p", runId: runId, sourcePath: path, size: 10, mtimeNanos: 1, sha256: sha, destinationPath: "\(path)_X.gz",
            storedSize: 5, kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 2, disposition: .remove
        )
    }

    /// A run of 1,203 rows (one source path recorded twice, so ties on the path are broken by id) beside another run's rows.
    func catalogWithTwoRuns(_ backend: CatalogBackend) throws -> (catalog: any Catalog, run: Int64) {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let other = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "T", startedAt: "t", host: "h")
        // Inserted out of path order, in several transactions, interleaved with the other run's rows.
        for chunk in stride(from: 1_200, to: 0, by: -300) {
            _ = try catalog.recordPending((chunk - 300..<chunk).map { file(run, String(format: "d%02d/f%05d", $0 % 7, $0), sha: "r\($0)") })
            _ = try catalog.recordPending((0..<50).map { file(other, String(format: "d%02d/g%05d", $0 % 7, chunk + $0), sha: "o\(chunk + $0)") })
        }
        _ = try catalog.recordPending([file(run, "d03/f00010", sha: "again"), file(run, "Z", sha: "z"), file(run, "a/é", sha: "e")])
        return (catalog, run)
    }

    @Test(arguments: CatalogBackend.allCases) func pagesWalkTheRunInReportOrder(backend: CatalogBackend) throws {
        let (catalog, run) = try catalogWithTwoRuns(backend)
        let whole = try catalog.files(runId: run)
        #expect(whole.count == 1_203)
        #expect(whole.allSatisfy { $0.runId == run })
        let tied = whole.filter { $0.sourcePath == "d03/f00010" }
        #expect(tied.count == 2 && tied[0].id < tied[1].id)
        for size in [1, 7, 300, 1_203, 5_000] {
            var paged: [FileRecord] = []
            var cursor: RunFilesCursor?
            var pages = 0
            while true {
                let page = try catalog.files(runId: run, after: cursor, limit: size)
                #expect(page.count <= size)
                paged += page
                pages += 1
                guard let last = page.last else { break }
                cursor = RunFilesCursor(after: last)
            }
            #expect(paged == whole, "page size \(size)")
            #expect(pages == (whole.count + size - 1) / size + 1, "page size \(size)")  // the last one comes back empty
        }
    }

    @Test(arguments: CatalogBackend.allCases) func forEachFileVisitsEveryRowOnce(backend: CatalogBackend) throws {
        let (catalog, run) = try catalogWithTwoRuns(backend)
        let whole = try catalog.files(runId: run)
        for size in [1, 50, 1_203, 1_000] {
            var seen: [FileRecord] = []
            try catalog.forEachFile(runId: run, pageSize: size) { seen.append($0) }
            #expect(seen == whole, "page size \(size)")
        }
        var none = 0
        try catalog.forEachFile(runId: 999_999) { _ in none += 1 }
        #expect(none == 0)
    }
}

/// The pages are read through the run's index, not by sorting the whole run once per page.
@Suite struct RunFilePagesPlanTests {
    @Test func sqliteReadsAPageFromTheRunIndexWithoutSorting() throws {
        let catalog = try SQLiteCatalog(path: "\(temporaryFolder())/catalog.sqlite")
        try catalog.migrate()
        let sql = "EXPLAIN QUERY PLAN SELECT id FROM files WHERE run_id = ?1 AND (source_path, id) > (?2, ?3) ORDER BY source_path, id LIMIT ?4"
        let plan = try catalog.db.statement(sql).bind(.int(1), .text("a"), .int(1), .int(10)).rows { $0.text(3) }.joined(separator: "\n")
        #expect(plan.contains("files_run_source"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
    }

    @Test func postgresReadsAPageFromTheRunIndexWithoutSorting() throws {
        let catalog = try PostgresCatalog(target: try TestDatabase.freshSchema())
        try catalog.migrate()
        // An empty table would be scanned whatever the indexes; take the planner's choice among index paths.
        _ = try catalog.connection.query("SET enable_seqscan = off")
        _ = try catalog.connection.query("SET enable_bitmapscan = off")
        let plan = try catalog.connection.query(
            "EXPLAIN SELECT id FROM files WHERE run_id = 1 AND (source_path, id) > ('a'::text, 1::bigint) ORDER BY source_path, id LIMIT 10"
        ).rows { $0.text(0) }.joined(separator: "\n")
        #expect(plan.contains("files_run_source"), "\(plan)")
        #expect(!plan.contains("Sort"), "\(plan)")
    }
}
