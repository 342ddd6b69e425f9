import Catalog
import Foundation
import PyBakCore
import Testing

@testable import BackupPipeline

/// Fails to open chosen files, as an unreadable file does for a non-root user.
struct FailingOpener: SourceOpener {
    let failing: Set<String>
    func openForReading(_ path: String) throws -> Int32 {
        if failing.contains((path as NSString).lastPathComponent) { throw SystemError("open", path, code: EACCES) }
        return try POSIXSourceOpener().openForReading(path)
    }
}

/// Appends to a file right after opening it, as a writer still busy with it would.
struct GrowingOpener: SourceOpener {
    func openForReading(_ path: String) throws -> Int32 {
        let fd = try POSIXSourceOpener().openForReading(path)
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data("more".utf8))
        handle.closeFile()
        return fd
    }
}

@Suite struct FaultTests {
    @Test func anUnreadableFileFailsAloneAndStays() throws {
        let fx = PassFixture()
        fx.write("good.txt", "good")
        fx.write("secret.txt", "secret")
        let (result, catalog) = try fx.run(opener: FailingOpener(failing: ["secret.txt"]))
        #expect(result.status == .partial && result.exitCode == 3)
        #expect(result.counts.compressed == 1 && result.counts.failed == 1)
        #expect(fx.exists("\(fx.source)/secret.txt"))
        let problem = try #require(try catalog.problems(runId: result.runId).first)
        #expect(problem.path == "secret.txt" && problem.reason.contains("permission denied"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(fx.destination)/.pybak/tmp").isEmpty)
    }

    @Test func aFileChangedWhileReadWaitsForTheNextPass() throws {
        let fx = PassFixture()
        fx.write("busy.log", "line 1\n")
        let (result, _) = try fx.run(opener: GrowingOpener())
        #expect(result.counts.compressed == 0 && result.counts.skipped == 1 && result.status == .succeeded)
        #expect(try String(contentsOfFile: "\(fx.source)/busy.log", encoding: .utf8) == "line 1\nmore")
        #expect(fx.storedCopies().isEmpty)
    }

    @Test func aDestinationInsideTheSourceIsRefused() throws {
        let fx = PassFixture()
        #expect {
            try BackupPass.prepareDestination(fx.settings(destination: "\(fx.source)/backups"))
        } throws: { error in
            (error as? PyBakError)?.code == .destination && "\(error)".contains("inside the source")
        }
    }

    @Test func aMissingSourceIsRefused() throws {
        let fx = PassFixture()
        var settings = fx.settings()
        settings.sourceDir = "\(fx.root)/nope"
        #expect {
            try BackupPass.prepareDestination(settings)
        } throws: { error in
            (error as? PyBakError)?.code == .source && "\(error)".contains("does not exist")
        }
    }

    @Test func aSecondPassOnTheSameDestinationIsTurnedAway() throws {
        let fx = PassFixture()
        let settings = fx.settings()
        try BackupPass.prepareDestination(settings)
        let lock = try DestinationLock(destination: fx.destination)
        #expect {
            _ = try fx.run(settings)
        } throws: { error in
            (error as? PyBakError)?.code == .busy && (error as? PyBakError)?.exitCode == 4
        }
        withExtendedLifetime(lock) {}
    }

    @Test func anInterruptedCommitIsFinishedNotRepeated() throws {
        let fx = PassFixture()
        fx.write("a.txt", "alpha")
        fx.write("b.txt", "bravo")
        let settings = fx.settings()
        try BackupPass.prepareDestination(settings)
        let catalog = try fx.catalog(settings)
        // A pass died after renaming a.txt's copy into place but before marking its row stored,
        // and left a temporary copy of b.txt behind.
        let run = try catalog.startRun(policy: "test", trigger: .manual, passStamp: "20260101T000000Z", startedAt: "t", host: "h")
        let status = try POSIX.lstat("\(fx.source)/a.txt")
        _ = try catalog.recordPending([NewFile(
            policy: "test", runId: run, sourcePath: "a.txt", size: status.size, mtimeNanos: status.mtimeNanos,
            sha256: SHA256Text.of("alpha"), destinationPath: "a.txt_20260101T000000Z.gz", storedSize: 25, kind: .stored, duplicateOf: nil,
            sourceDevice: status.device, sourceInode: status.inode, disposition: .remove
        )])
        FileManager.default.createFile(atPath: "\(fx.destination)/a.txt_20260101T000000Z.gz", contents: Data("(copy)".utf8))
        FileManager.default.createFile(atPath: "\(fx.destination)/.pybak/tmp/\(run)-0-1", contents: Data("partial".utf8))

        let (result, _) = try fx.run(settings)
        #expect(try catalog.run(id: run)?.status == .failed)
        #expect(!fx.exists("\(fx.source)/a.txt"))  // finished: removed without a second copy
        #expect(result.counts.compressed == 1)  // b.txt only
        #expect(fx.storedCopies().filter { $0.hasPrefix("a.txt") } == ["a.txt_20260101T000000Z.gz"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(fx.destination)/.pybak/tmp").isEmpty)
        let aRows = try catalog.latestEntry(policy: "test", sourcePath: "a.txt")
        #expect(aRows?.state == .stored && aRows?.disposition == .removed)
    }
}

import Archive

enum SHA256Text {
    static func of(_ text: String) -> String { SHA256Hasher.hex(of: Array(text.utf8)) }
}
