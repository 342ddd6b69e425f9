import Catalog
import Foundation
import PyBakCore
import Testing

@testable import BackupPipeline

@Suite struct BackupPassTests {
    @Test func movesFilesIntoNamedCompressedCopiesAndCataloguesThem() throws {
        let fx = PassFixture()
        fx.write("a.txt", String(repeating: "alpha ", count: 5000))
        fx.write("sub/dir/b.csv", "1,2,3\n")
        let (result, catalog) = try fx.run()
        #expect(result.status == .succeeded && result.exitCode == 0)
        #expect(result.counts.compressed == 2)
        let copies = fx.storedCopies()
        #expect(copies == ["a.txt_\(result.passStamp).gz", "sub/dir/b.csv_\(result.passStamp).gz"])
        #expect(try fx.unpack(copies[1]) == Array("1,2,3\n".utf8))
        #expect(!fx.exists("\(fx.source)/a.txt") && !fx.exists("\(fx.source)/sub/dir/b.csv"))
        let rows = try catalog.files(runId: result.runId)
        #expect(rows.count == 2 && rows.allSatisfy { $0.state == .stored && $0.disposition == .removed })
        #expect(rows.first { $0.sourcePath == "sub/dir/b.csv" }?.sha256 == SHA256Text.of("1,2,3\n"))
        #expect(result.reportPaths.count == 2 && result.reportPaths.allSatisfy(fx.exists))
    }

    @Test func duplicateContentIsRecordedNotStoredTwice() throws {
        let fx = PassFixture()
        fx.write("one.txt", "same bytes")
        fx.write("two.txt", "same bytes")
        let (first, catalog) = try fx.run()
        #expect(first.counts.compressed == 1 && first.counts.duplicate == 1)
        fx.write("later/three.txt", "same bytes")
        let (second, _) = try fx.run()
        #expect(second.counts.compressed == 0 && second.counts.duplicate == 1)
        #expect(fx.storedCopies().count == 1)
        let duplicate = try #require(try catalog.files(runId: second.runId).first)
        #expect(duplicate.kind == .duplicate && duplicate.destinationPath == fx.storedCopies()[0] && duplicate.duplicateOf != nil)
        #expect(!fx.exists("\(fx.source)/later/three.txt"))
    }

    @Test func youngFilesWaitForTheSettleWindow() throws {
        let fx = PassFixture()
        fx.write("old.txt", "old")
        fx.write("new.txt", "new", age: 0)
        let (result, catalog) = try fx.run()
        #expect(result.counts.compressed == 1 && result.counts.skipped == 1 && result.status == .succeeded)
        #expect(fx.exists("\(fx.source)/new.txt"))
        #expect(try catalog.problems(runId: result.runId).first?.reason.contains("settle window") == true)
    }

    @Test func copyModeKeepsSourcesAndSkipsUnchangedFilesNextTime() throws {
        let fx = PassFixture()
        fx.write("keep.txt", "keep me")
        let (first, _) = try fx.run(fx.settings(keepSource: true))
        #expect(first.counts.compressed == 1 && fx.exists("\(fx.source)/keep.txt"))
        let (second, _) = try fx.run(fx.settings(keepSource: true))
        #expect(second.counts.compressed == 0 && second.counts.unchanged == 1)
        fx.write("keep.txt", "keep me, changed")
        let (third, _) = try fx.run(fx.settings(keepSource: true))
        #expect(third.counts.compressed == 1)
        #expect(fx.storedCopies().count == 2)
    }

    @Test func aTakenNameGetsASuffixNeverAnOverwrite() throws {
        let fx = PassFixture()
        fx.write("n.txt", "first")
        let (first, _) = try fx.run()
        // Same second, same name: simulate by planting a file with the name the next pass would choose.
        fx.write("n.txt", "second")
        let stamp = PassStamp(epochSeconds: Int(WallClock.now()))
        for offset in 0...3 {
            let name = OutputNaming.storedName(originalName: "n.txt", stamp: PassStamp(epochSeconds: stamp.epochSeconds + offset))
            if !fx.exists("\(fx.destination)/\(name)") {
                FileManager.default.createFile(atPath: "\(fx.destination)/\(name)", contents: Data("planted".utf8))
            }
        }
        let (second, _) = try fx.run()
        #expect(second.counts.compressed == 1)
        let planted = fx.storedCopies().filter { (try? String(contentsOfFile: "\(fx.destination)/\($0)", encoding: .utf8)) == "planted" }
        #expect(planted.count >= 1)
        #expect(fx.storedCopies().contains { $0.hasSuffix("_1.gz") })
        #expect(first.passStamp.count == 16)
    }

    @Test func symlinksAndFIFOsAreSkippedWithAReason() throws {
        let fx = PassFixture()
        fx.write("real.txt", "real")
        try FileManager.default.createSymbolicLink(atPath: "\(fx.source)/link", withDestinationPath: "/etc/hostname")
        #expect(mkfifo("\(fx.source)/pipe", 0o644) == 0)
        let (result, catalog) = try fx.run()
        #expect(result.counts.compressed == 1 && result.counts.skipped == 2)
        let reasons = try catalog.problems(runId: result.runId).map(\.reason).joined(separator: "|")
        #expect(reasons.contains("symbolic link") && reasons.contains("FIFO"))
        #expect(fx.exists("\(fx.source)/pipe"))
    }

    @Test func includePatternsSelectFiles() throws {
        let fx = PassFixture()
        fx.write("a/x.csv", "x")
        fx.write("a/y.tmp", "y")
        let (result, _) = try fx.run(fx.settings(include: ["**/*.csv"]))
        #expect(result.counts.compressed == 1 && fx.exists("\(fx.source)/a/y.tmp"))
    }
}
