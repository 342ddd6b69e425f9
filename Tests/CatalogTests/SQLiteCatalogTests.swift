import Foundation
import Testing

@testable import Catalog

/// What only the SQLite catalog does.
@Suite struct SQLiteCatalogTests {
    let folder = temporaryFolder()

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
