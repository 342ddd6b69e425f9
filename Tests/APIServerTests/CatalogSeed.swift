import Catalog
import Foundation

/// A SQLite catalog in a fresh temporary folder with two policies' runs, files and logs.
///
/// invoices: runs 1 (succeeded, 2 files), 2 (partial, 1 file + 1 problem), 4 (running).
/// photos: run 3 (failed). Logs: 10 lines over runs 1-3, levels info/warning/error.
struct CatalogSeed {
    let path: String

    init() throws {
        let folder = NSTemporaryDirectory() + "pybak-api-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = "\(folder)/catalog.sqlite"
        let catalog = try SQLiteCatalog(path: path)
        try catalog.migrate()
        try Self.fill(catalog)
    }

    func open() throws -> any Catalog {
        try SQLiteCatalog(path: path)
    }

    static func counts(_ compressed: Int, failed: Int = 0, bytesIn: Int64, bytesOut: Int64) -> RunCounts {
        var counts = RunCounts()
        counts.compressed = compressed
        counts.failed = failed
        counts.bytesIn = bytesIn
        counts.bytesOut = bytesOut
        return counts
    }

    static func file(_ policy: String, _ run: Int64, _ path: String, sha: String) -> NewFile {
        NewFile(
            policy: policy, runId: run, sourcePath: path, size: 1000, mtimeNanos: 1, sha256: sha, destinationPath: "\(path)_20261127T040000Z.gz",
            storedSize: 250, kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 2, disposition: .removed
        )
    }

    private static func fill(_ catalog: SQLiteCatalog) throws {
        let now = Date().timeIntervalSince1970
        let today = { (offset: Double) in ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: now - offset)) }
        let r1 = try catalog.startRun(policy: "invoices", trigger: .schedule, passStamp: "S1", startedAt: "2026-11-26T10:00:00.000Z", host: "h")
        try catalog.finishRun(id: r1, status: .succeeded, counts: counts(2, bytesIn: 2000, bytesOut: 500), finishedAt: "2026-11-26T10:00:02.500Z", error: nil)
        try catalog.markStored(ids: try catalog.recordPending([file("invoices", r1, "a/jan.csv", sha: "aa11"), file("invoices", r1, "a/feb_100%.csv", sha: "bb22")]))
        let r2 = try catalog.startRun(policy: "invoices", trigger: .api, passStamp: "S2", startedAt: today(60), host: "h")
        try catalog.finishRun(id: r2, status: .partial, counts: counts(1, failed: 1, bytesIn: 1000, bytesOut: 250), finishedAt: today(59), error: nil)
        try catalog.markStored(ids: try catalog.recordPending([file("invoices", r2, "b/mar.csv", sha: "cc33")]))
        try catalog.recordProblems([RunProblem(runId: r2, path: "b/locked.csv", outcome: .failed, reason: "permission denied")])
        let r3 = try catalog.startRun(policy: "photos", trigger: .manual, passStamp: "S3", startedAt: today(30), host: "h")
        try catalog.finishRun(id: r3, status: .failed, counts: RunCounts(), finishedAt: today(29), error: "destination full")
        _ = try catalog.startRun(policy: "invoices", trigger: .schedule, passStamp: "S4", startedAt: today(5), host: "h")
        var logs: [LogRecord] = []
        for i in 0..<10 {
            let run: Int64 = i < 4 ? r1 : i < 8 ? r2 : r3
            let level = i % 5 == 4 ? "error" : i % 3 == 2 ? "warning" : "info"
            logs.append(LogRecord(
                time: "2026-11-27T04:00:0\(i).000Z", level: level, runId: run, policy: run == r3 ? "photos" : "invoices",
                message: i == 7 ? "disk nearly full" : "line \(i)", metadata: "{\"file.path\":\"f\(i)\"}"
            ))
        }
        try catalog.appendLogs(logs)
    }
}
