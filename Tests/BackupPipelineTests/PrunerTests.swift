import Catalog
import Foundation
import Logging
import PyBakCore
import Testing

@testable import BackupPipeline

@Suite struct PrunerTests {
    let fixture = PassFixture()
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test func removesOldVersionsButKeepsSharedCopiesAndTheNewest() throws {
        // Three versions of a.txt; b.txt, in the next pass, duplicates a.txt's first content. (In one pass, which
        // of two equal files is stored and which is the duplicate depends on which worker finishes first.)
        fixture.write("a.txt", "v1")
        var (_, catalog) = try fixture.run()
        fixture.write("a.txt", "v2")
        fixture.write("b.txt", "v1")
        (_, catalog) = try fixture.run()
        fixture.write("a.txt", "v3")
        (_, catalog) = try fixture.run()
        let pruner = Pruner(destination: fixture.destination, sourceDir: fixture.source, catalog: catalog, logger: logger)
        let decisions = try pruner.plan(RetentionRules(keepLast: 1), policy: nil)
        let a = decisions.filter { $0.file.sourcePath == "a.txt" }.sorted { $0.file.id < $1.file.id }
        #expect(a.map(\.keep) == [true, false, true])  // v1 is shared with b.txt's duplicate row
        #expect(a[0].reasons == ["shared"] && a[2].reasons == ["last"])
        let before = fixture.storedCopies()
        let done = try pruner.apply(decisions)
        #expect(done.rows == 1 && done.copies == 1)
        #expect(fixture.storedCopies() == before.filter { $0 != a[1].file.destinationPath })
        #expect(try catalog.files(matching: FileQuery()).count == 3)
        #expect(try catalog.files(matching: FileQuery(includePruned: true)).count == 4)
        // New content equal to the pruned version is stored again, not pointed at the deleted copy.
        fixture.write("c.txt", "v2")
        let (result, _) = try fixture.run()
        #expect(result.counts.compressed == 1)
    }

    @Test func keepsTheLastCopyOfASourceStillPresent() throws {
        fixture.write("kept.txt", "same")
        let settings = fixture.settings(keepSource: true)
        var (_, catalog) = try fixture.run(settings)
        // Make a newer version with other content, then put the old content back with its old mtime.
        let path = "\(fixture.source)/kept.txt"
        let original = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        fixture.write("kept.txt", "different")
        (_, catalog) = try fixture.run(settings)
        FileManager.default.createFile(atPath: path, contents: Data("same".utf8))
        try FileManager.default.setAttributes([.modificationDate: original], ofItemAtPath: path)
        let decisions = try Pruner(destination: fixture.destination, sourceDir: fixture.source, catalog: catalog, logger: logger)
            .plan(RetentionRules(keepLast: 1), policy: nil)
        #expect(decisions.map(\.reasons) == [["source-exists"], ["last"]])
    }

    @Test func refusesToRunWithoutRules() throws {
        fixture.write("x", "x")
        let (_, catalog) = try fixture.run()
        #expect(throws: PyBakError.self) {
            try Pruner(destination: fixture.destination, sourceDir: nil, catalog: catalog, logger: logger).plan(RetentionRules(), policy: nil)
        }
    }
}
