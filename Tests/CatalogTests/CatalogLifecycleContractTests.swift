import Testing

@testable import Catalog

/// The catalog calls of encryption, restore, verify and prune, against SQLite and a real PostgreSQL.
@Suite struct CatalogLifecycleContractTests {
    @Test(arguments: CatalogBackend.allCases) func keyIdsQueriesVerificationAndPruning(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let paths = ["a/b.txt", "a/b.txt.bak", "a/bc/d.txt", "ab/x.txt", "x.txt", "100%_a/z"]
        let ids = try catalog.recordPending(paths.map {
            NewFile(
                policy: "p", runId: run, sourcePath: $0, size: 1, mtimeNanos: 1, sha256: "sha-\($0)", destinationPath: "\($0).gz.enc",
                storedSize: 1, kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 1, disposition: .kept, keyId: "k1-0123456789abcdef")
        })
        try catalog.markStored(ids: Array(ids.dropLast()))
        #expect(try catalog.files(matching: FileQuery()).map(\.keyId) == Array(repeating: "k1-0123456789abcdef", count: 5))
        #expect(try catalog.files(matching: FileQuery(pathPrefix: "a")).map(\.sourcePath) == ["a/b.txt", "a/b.txt.bak", "a/bc/d.txt"])
        #expect(try catalog.files(matching: FileQuery(pathPrefix: "100%_a/", storedOnly: false)).map(\.sourcePath) == ["100%_a/z"])
        #expect(try catalog.files(matching: FileQuery(path: "x.txt")).map(\.sourcePath) == ["ab/x.txt", "x.txt"])
        #expect(try catalog.files(matching: FileQuery(runId: run, until: "0")).isEmpty)
        try catalog.recordVerification(ids: [ids[0]], at: "2026-01-02T00:00:00.000Z", error: "corrupt: x")
        let first = try #require(try catalog.files(matching: FileQuery(limit: 1)).first)
        #expect(first.verifiedAt == "2026-01-02T00:00:00.000Z" && first.verifyError == "corrupt: x")
        try catalog.markPruned(ids: [ids[4]], at: "2026-01-03T00:00:00.000Z")
        #expect(try catalog.files(matching: FileQuery(path: "x.txt")).map(\.sourcePath) == ["ab/x.txt"])
        #expect(try catalog.files(matching: FileQuery(path: "x.txt", includePruned: true)).last?.prunedAt == "2026-01-03T00:00:00.000Z")
        #expect(try catalog.storedCopy(policy: "p", sha256: "sha-x.txt") == nil)
        #expect(try catalog.storedCopies(policy: "p", sha256s: ["sha-x.txt", "sha-ab/x.txt"]).keys.sorted() == ["sha-ab/x.txt"])
    }
}
