import Catalog
import Foundation
import PyBakCore

/// The report of one run: what was compressed, deduplicated, skipped and failed.
public struct PassReport: Sendable, Codable {
    /// The run row.
    public var run: RunRecord
    /// The files it catalogued.
    public var files: [FileRecord]
    /// What it skipped or failed, and why.
    public var problems: [RunProblem]
    /// Seconds the run took (from the catalog when not given).
    public var durationSeconds: Double?
    /// Uploads of the files the run catalogued (nil when no cloud target was set).
    public var uploads: [UploadRecord]?
    /// What became of the report e-mail (`sent to ...`, `not sent: ...`), once known.
    public var email: String?

    /// Creates a report.
    public init(run: RunRecord, files: [FileRecord], problems: [RunProblem], durationSeconds: Double?, uploads: [UploadRecord]? = nil) {
        self.run = run
        self.files = files
        self.problems = problems
        self.durationSeconds = durationSeconds
        self.uploads = uploads
    }

    /// Loads the report of a run from the catalog.
    public static func load(runId: Int64, from catalog: any Catalog) throws -> PassReport? {
        guard let run = try catalog.run(id: runId) else { return nil }
        let uploads = try (catalog as? any UploadLedger)?.uploads(runId: runId)
        var report = PassReport(
            run: run, files: try catalog.files(runId: runId), problems: try catalog.problems(runId: runId), durationSeconds: nil,
            uploads: uploads?.isEmpty == true ? nil : uploads)
        report.email = try (catalog as? any ReportDeliveryLog)?.emailStatus(runId: runId)
        return report
    }

    /// The plain-text form.
    public var text: String {
        let c = run.counts
        var lines: [String] = []
        lines.append("PyBak report — policy \(run.policy), run \(run.id) (\(run.trigger.rawValue))")
        lines.append("started   \(run.startedAt)")
        lines.append("finished  \(run.finishedAt ?? "-")\(durationSeconds.map { "  (\(DurationText.format($0)))" } ?? "")")
        lines.append("result    \(run.status.rawValue)\(run.error.map { ": \($0)" } ?? "")")
        lines.append("files     \(c.compressed) compressed, \(c.duplicate) duplicate, \(c.skipped) skipped, \(c.failed) failed, \(c.unchanged) unchanged")
        let ratio = c.ratio.map { String(format: "%.2f", $0) } ?? "-"
        lines.append("bytes     \(c.bytesIn) in, \(c.bytesOut) out, ratio \(ratio)")
        if let email { lines.append("email     \(email)") }
        let stored = files.filter { $0.kind == .stored }
        let duplicates = files.filter { $0.kind == .duplicate }
        if !stored.isEmpty {
            lines.append("")
            lines.append("Compressed (\(stored.count)):")
            for file in stored.prefix(Self.listLimit) {
                lines.append("  \(file.sourcePath) -> \(file.destinationPath)  \(file.size) -> \(file.storedSize) bytes")
            }
            if stored.count > Self.listLimit { lines.append("  ... and \(stored.count - Self.listLimit) more (pybak report --json has them all)") }
        }
        if !duplicates.isEmpty {
            lines.append("")
            lines.append("Duplicates, already stored (\(duplicates.count)):")
            for file in duplicates.prefix(Self.listLimit) { lines.append("  \(file.sourcePath) = \(file.destinationPath)") }
            if duplicates.count > Self.listLimit { lines.append("  ... and \(duplicates.count - Self.listLimit) more") }
        }
        if let uploads, !uploads.isEmpty {
            let done = uploads.filter { $0.state == "uploaded" }
            lines.append("")
            lines.append("Uploaded (\(done.count) of \(uploads.count)):")
            for upload in uploads.prefix(Self.listLimit) {
                let where_ = upload.url ?? "\(upload.target)://\(upload.bucket)/\(upload.key)"
                lines.append("  \(upload.sourcePath) -> \(where_)  \(upload.state == "uploaded" ? "etag \(upload.etag ?? "-")" : "pending after \(upload.attempts) failed attempt(s)")")
            }
            if uploads.count > Self.listLimit { lines.append("  ... and \(uploads.count - Self.listLimit) more") }
        }
        for outcome in [RunProblem.Outcome.failed, .skipped] {
            let list = problems.filter { $0.outcome == outcome }
            guard !list.isEmpty else { continue }
            lines.append("")
            lines.append("\(outcome == .failed ? "Failed" : "Skipped") (\(list.count)):")
            for problem in list.prefix(Self.listLimit) { lines.append("  \(problem.path): \(problem.reason)") }
            if list.count > Self.listLimit { lines.append("  ... and \(list.count - Self.listLimit) more") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON form (every file listed).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static let listLimit = 200
}

/// Writes reports under `DEST/.pybak/reports/`.
public enum ReportWriter {
    /// Writes `run-<id>.txt` and `run-<id>.json`; returns their paths.
    public static func write(_ report: PassReport, folder: String) throws -> [String] {
        let base = "\(folder)/run-\(report.run.id)"
        let paths = ["\(base).txt", "\(base).json"]
        try report.text.write(toFile: paths[0], atomically: true, encoding: .utf8)
        try report.json.write(toFile: paths[1], atomically: true, encoding: .utf8)
        return paths
    }
}
