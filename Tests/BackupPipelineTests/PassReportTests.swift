@testable import Catalog
import Foundation
import Testing

@testable import BackupPipeline

@Suite struct PassReportTests {
    static func report(files count: Int, uploads: [UploadRecord]? = nil) -> PassReport {
        let hash = String(repeating: "ab", count: 32)
        var counts = RunCounts()
        counts.compressed = count
        let run = RunRecord(
            id: 7, policy: "big", trigger: RunTrigger.manual, startedAt: "2026-11-27T07:00:00Z", finishedAt: "2026-11-27T07:01:00Z",
            passStamp: "20261127T070000Z", status: RunStatus.partial, counts: counts, error: nil, host: "h")
        var files: [FileRecord] = []
        files.reserveCapacity(count)
        for index in 0..<count {
            let duplicate = index % 10 == 0
            let folder = "d\(index % 100)"
            let source = "\(folder)/f \"\(index)\".txt"
            let stored = "\(folder)/f\(index).txt_20261127T070000Z.gz"
            let record = FileRecord(
                id: Int64(index + 1), policy: "big", runId: 7, sourcePath: source, size: Int64(index), mtimeNanos: 1_700_000_000_000_000_000,
                sha256: hash, destinationPath: stored, storedSize: 10, kind: duplicate ? FileKind.duplicate : FileKind.stored,
                duplicateOf: duplicate ? Int64(1) : nil, state: FileState.stored, sourceDevice: 1, sourceInode: Int64(index),
                disposition: SourceDisposition.removed, createdAt: "2026-11-27T07:00:30Z")
            files.append(record)
        }
        let problems = [RunProblem(runId: 7, path: "bad\nname/x", outcome: .failed, reason: "its name holds a line break")]
        return PassReport(run: run, files: files, problems: problems, durationSeconds: 60.5, uploads: uploads)
    }

    @Test func jsonStreamsToItsFileWhileItIsWritten() throws {
        let path = NSTemporaryDirectory() + "pybak-report-\(UUID().uuidString).json"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let report = Self.report(files: 50_000)
        let stream = ReportStream(fd: fd, path: path)
        try report.writeJSON(to: stream)
        // Before the final flush, all but the last buffer already reached the file: the text was never held whole.
        var status = stat()
        #expect(fstat(fd, &status) == 0)
        #expect(stream.bytesWritten > 5_000_000)
        #expect(Int(status.st_size) == stream.bytesWritten)
        try stream.flush()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == stream.bytesWritten)
        #expect(data.count - Int(status.st_size) <= ReportStream.bufferSize + 64 * 1024)

        // It is JSON, and it decodes to the very report that was written (same keys and values as the Codable form).
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["files"] as? [Any])?.count == 50_000)
        #expect(object["uploads"] == nil)
        let decoded = try JSONDecoder().decode(PassReport.self, from: data)
        #expect(decoded.run == report.run)
        #expect(decoded.files == report.files)
        #expect(decoded.problems == report.problems)
        #expect(decoded.durationSeconds == 60.5)
        #expect(decoded.uploads == nil)
        #expect(decoded.email == nil)
    }

    @Test func smallFormsMatchTheCodableForm() throws {
        let upload = UploadRecord(
            fileId: 1, sourcePath: "a", target: "s3", bucket: "b", key: "k/a.gz", state: "uploaded", url: "s3://b/k/a.gz", etag: "e", attempts: 1,
            lastError: nil)
        for report in [Self.report(files: 0), Self.report(files: 3, uploads: [upload])] {
            var withEmail = report
            withEmail.email = "sent to ops@example.com"
            for candidate in [report, withEmail] {
                let streamed = try JSONSerialization.jsonObject(with: Data(try candidate.json.utf8)) as? NSDictionary
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let whole = try JSONSerialization.jsonObject(with: try encoder.encode(candidate)) as? NSDictionary
                #expect(streamed != nil)
                #expect(streamed == whole)
            }
        }
    }

    @Test func writerReplacesTheReportFilesWhole() throws {
        let folder = NSTemporaryDirectory() + "pybak-reports-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = Self.report(files: 300)
        let paths = try ReportWriter.write(report, folder: folder)
        #expect(paths == ["\(folder)/run-7.txt", "\(folder)/run-7.json"])
        #expect(try String(contentsOfFile: paths[0], encoding: .utf8) == (try report.text))
        #expect(try report.text.contains("Compressed (270):"))
        #expect(try report.text.contains("  ... and 70 more (pybak report --json has them all)"))
        #expect(try report.text.contains("Duplicates, already stored (30):"))
        let decoded = try JSONDecoder().decode(PassReport.self, from: Data(contentsOf: URL(fileURLWithPath: paths[1])))
        #expect(decoded.files == report.files)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["run-7.json", "run-7.txt"])
    }

    @Test func aReportOverTheCatalogReadsItsFilesPageByPageAndWritesTheSameForms() throws {
        let folder = NSTemporaryDirectory() + "pybak-report-catalog-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let catalog = try SQLiteCatalog(path: "\(folder)/catalog.sqlite")
        try catalog.migrate()
        let runId = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "2026-11-27T07:00:00Z", host: "h")
        // More rows than one page, names JSON must escape, and duplicates mixed in.
        let odd = ["quote\"d", "back\\slash", "line\nbreak\ttab\u{01}", "dossier/été ✓", "a/b/c"]
        let count = PassReport.filePageSize * 2 + 345
        var rows: [NewFile] = []
        for index in 0..<count {
            let duplicate = index % 9 == 0
            let path = "\(odd[index % odd.count])/\(index)"
            let storedSize: Int64 = duplicate ? 0 : 7
            let kind: FileKind = duplicate ? .duplicate : .stored
            let keyId: String? = index % 2 == 0 ? "k1" : nil
            rows.append(NewFile(
                policy: "p", runId: runId, sourcePath: path, size: Int64(index), mtimeNanos: 1_700_000_000_000_000_000,
                sha256: "h\(index)", destinationPath: "d/\(index).gz", storedSize: storedSize, kind: kind,
                duplicateOf: nil, sourceDevice: 3, sourceInode: Int64(index), disposition: .remove, keyId: keyId))
        }
        let ids = try catalog.recordPending(rows)
        try catalog.markStored(ids: ids)
        var counts = RunCounts()
        counts.compressed = rows.filter { $0.kind == FileKind.stored }.count
        counts.duplicate = count - counts.compressed
        try catalog.finishRun(id: runId, status: .succeeded, counts: counts, finishedAt: "2026-11-27T07:01:00Z", error: nil)

        let paged = try #require(try PassReport.load(runId: runId, from: catalog))
        #expect(paged.files.isEmpty)  // nothing held: every form reads the rows from the catalog
        var inMemory = paged
        inMemory.files = try catalog.files(runId: runId)
        #expect(inMemory.files.count == count)
        let fromPages = try JSONSerialization.jsonObject(with: Data(try paged.json.utf8)) as? NSDictionary
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let codable = try JSONSerialization.jsonObject(with: try encoder.encode(inMemory)) as? NSDictionary
        #expect(fromPages != nil && fromPages == codable)
        #expect(try JSONDecoder().decode(PassReport.self, from: Data(try paged.json.utf8)).files == inMemory.files)
        #expect(try paged.text == inMemory.text)
        #expect(try paged.html == inMemory.html)
        #expect(try paged.text.contains("Compressed (\(counts.compressed)):"))
        #expect(try paged.text.contains("Duplicates, already stored (\(counts.duplicate)):"))
        let paths = try ReportWriter.write(paged, folder: folder)
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths[1])) == Data(try paged.json.utf8))
    }
}
