import Catalog
import Foundation
import Logging
import PyBakCore
import Testing

@testable import BackupPipeline

@Suite struct ArchivePassTests {
    let fixture = PassFixture()
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func settings(_ format: StorageFormat) -> PassSettings {
        var settings = fixture.settings()
        settings.format = format
        return settings
    }

    @Test(arguments: [StorageFormat.zip, .tarGz])
    func onePassMakesOneArchiveAndDuplicatesStayOut(format: StorageFormat) throws {
        let long = String(repeating: "n", count: 90) + "/" + String(repeating: "m", count: 90) + ".txt"
        fixture.write("a.txt", "alpha")
        fixture.write("dup.txt", "alpha")
        fixture.write("b/c.txt", String(repeating: "gamma ", count: 10_000))
        fixture.write(long, "long")
        let (result, catalog) = try fixture.run(settings(format))
        #expect(result.status == .succeeded)
        #expect(result.counts.compressed == 3 && result.counts.duplicate == 1)
        let archives = fixture.storedCopies()
        #expect(archives == ["pybak_\(result.passStamp).\(format.rawValue)"])
        for path in ["a.txt", "dup.txt", "b/c.txt", long] { #expect(!fixture.exists("\(fixture.source)/\(path)")) }

        let rows = try catalog.files(runId: result.runId)
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.destinationPath == archives[0] && $0.state == .stored })
        let stored = rows.filter { $0.kind == .stored }
        #expect(Set(stored.map(\.archiveMember)) == Set(stored.map(\.sourcePath)))
        let duplicate = try #require(rows.first { $0.kind == .duplicate })
        let original = try #require(stored.first { $0.sha256 == duplicate.sha256 })
        #expect(duplicate.duplicateOf == original.id && duplicate.archiveMember == original.archiveMember)

        // Content already archived: a duplicate row, no new archive.
        fixture.write("again.txt", "alpha")
        let (second, _) = try fixture.run(settings(format))
        #expect(second.counts.duplicate == 1 && second.counts.compressed == 0)
        #expect(fixture.storedCopies() == archives)
        // New content in the same second: a second archive beside the first, never over it.
        fixture.write("new.txt", "fresh")
        let (third, after) = try fixture.run(settings(format))
        #expect(third.counts.compressed == 1)
        #expect(fixture.storedCopies().count == 2)
        #expect(try after.files(runId: third.runId).first?.archiveMember == "new.txt")
    }

    @Test func aTemporaryArchiveLeftByAKilledPassIsRemovedAndTheFilesStoredOnce() throws {
        fixture.write("a.txt", "alpha")
        let settings = settings(.zip)
        try BackupPass.prepareDestination(settings)
        let stale = "\(fixture.destination)/.pybak/tmp/99-archive"
        FileManager.default.createFile(atPath: stale, contents: Data("half an archive".utf8))
        let (result, catalog) = try fixture.run(settings)
        #expect(!fixture.exists(stale))
        #expect(result.counts.compressed == 1)
        #expect(try catalog.files(matching: FileQuery()).count == 1)
    }

    @Test func pruneDeletesAnArchiveOnlyWhenEveryMemberGoes() throws {
        fixture.write("x.txt", "x1")
        fixture.write("y.txt", "y1")
        let (first, _) = try fixture.run(settings(.zip))
        let archiveA = fixture.storedCopies()
        fixture.write("x.txt", "x2")
        var (_, catalog) = try fixture.run(settings(.zip))
        let pruner = Pruner(destination: fixture.destination, sourceDir: nil, catalog: catalog, logger: logger)
        // x1 is expired, but y1 (its archive mate) is the last version of y.txt: the archive stays.
        var decisions = try pruner.plan(RetentionRules(keepLast: 1), policy: nil)
        let x1 = try #require(decisions.first { $0.file.runId == first.runId && $0.file.sourcePath == "x.txt" })
        #expect(x1.keep && x1.reasons == ["shared"])
        #expect(try pruner.apply(decisions).copies == 0)
        #expect(fixture.storedCopies().count == 2)
        // Once y.txt has a newer version, every member of the first archive goes, and the archive with them.
        fixture.write("y.txt", "y2")
        (_, catalog) = try fixture.run(settings(.zip))
        decisions = try Pruner(destination: fixture.destination, sourceDir: nil, catalog: catalog, logger: logger).plan(RetentionRules(keepLast: 1), policy: nil)
        #expect(decisions.filter { !$0.keep }.map(\.file.destinationPath) == [archiveA[0], archiveA[0]])
        let done = try pruner.apply(decisions)
        #expect(done.rows == 2 && done.copies == 1)
        #expect(!fixture.storedCopies().contains(archiveA[0]) && fixture.storedCopies().count == 2)
    }
}
