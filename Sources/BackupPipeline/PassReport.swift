import Catalog
import Foundation
import PyBakCore

/// The report of one run: what was compressed, deduplicated, skipped and failed.
///
/// A report made by `load(runId:from:)` (or `init(run:catalog:...)`) holds no file rows: each form reads them from
/// the catalog page by page while it is written, so its memory does not grow with the number of files in the run.
public struct PassReport: Codable {
    /// The run row.
    public var run: RunRecord
    /// The files it catalogued, when held in memory (empty for a report that reads them from its catalog).
    public var files: [FileRecord]
    /// What it skipped or failed, and why.
    public var problems: [RunProblem]
    /// Seconds the run took (from the catalog when not given).
    public var durationSeconds: Double?
    /// Uploads of the files the run catalogued (nil when no cloud target was set).
    public var uploads: [UploadRecord]?
    /// What became of the report e-mail (`sent to ...`, `not sent: ...`), once known.
    public var email: String?
    /// Where the files are read from page by page, instead of `files` (not part of the encoded form).
    private var fileCatalog: (any Catalog)?

    private enum CodingKeys: String, CodingKey {
        case run, files, problems, durationSeconds, uploads, email
    }

    /// Rows read from the catalog per query.
    static let filePageSize = 1_000

    /// Creates a report over file rows held in memory.
    public init(run: RunRecord, files: [FileRecord], problems: [RunProblem], durationSeconds: Double?, uploads: [UploadRecord]? = nil) {
        self.run = run
        self.files = files
        self.problems = problems
        self.durationSeconds = durationSeconds
        self.uploads = uploads
    }

    /// Creates a report whose files are read from `catalog` page by page whenever a form is written.
    public init(run: RunRecord, catalog: any Catalog, problems: [RunProblem], durationSeconds: Double?, uploads: [UploadRecord]? = nil) {
        self.init(run: run, files: [], problems: problems, durationSeconds: durationSeconds, uploads: uploads)
        fileCatalog = catalog
    }

    /// Loads the report of a run from the catalog (its files stay there until a form is written).
    public static func load(runId: Int64, from catalog: any Catalog) throws -> PassReport? {
        guard let run = try catalog.run(id: runId) else { return nil }
        let uploads = try (catalog as? any UploadLedger)?.uploads(runId: runId)
        var report = PassReport(
            run: run, catalog: catalog, problems: try catalog.problems(runId: runId), durationSeconds: nil,
            uploads: uploads?.isEmpty == true ? nil : uploads)
        report.email = try (catalog as? any ReportDeliveryLog)?.emailStatus(runId: runId)
        return report
    }

    /// Calls `body` with each file of the report, in source-path order.
    /// - Throws: the catalog's errors, or what `body` throws.
    public func forEachFile(_ body: (FileRecord) throws -> Void) throws {
        if let fileCatalog {
            try fileCatalog.forEachFile(runId: run.id, pageSize: Self.filePageSize, body)
        } else {
            try files.forEach(body)
        }
    }

    /// The counts of stored and duplicate files and the first `limit` of each, in one walk over the files.
    func fileSummary(limit: Int) throws -> FileSummary {
        var summary = FileSummary()
        try forEachFile { file in
            if file.kind == .stored {
                summary.storedCount += 1
                if summary.stored.count < limit { summary.stored.append(file) }
            } else {
                summary.duplicateCount += 1
                if summary.duplicates.count < limit { summary.duplicates.append(file) }
            }
        }
        return summary
    }

    /// The plain-text form (each list capped at `listLimit` entries, so it stays small).
    /// - Throws: the catalog's errors when the files are read from it.
    public var text: String {
        get throws {
            let stream = ReportStream()
            try writeText(to: stream)
            return stream.text
        }
    }

    /// Writes the plain-text form line by line.
    /// - Throws: `SystemError` when the stream's file cannot take it.
    public func writeText(to stream: ReportStream) throws {
        let c = run.counts
        let lines = ReportLines(stream)
        try lines.append("PyBak report — policy \(run.policy), run \(run.id) (\(run.trigger.rawValue))")
        try lines.append("started   \(run.startedAt)")
        try lines.append("finished  \(run.finishedAt ?? "-")\(durationSeconds.map { "  (\(DurationText.format($0)))" } ?? "")")
        try lines.append("result    \(run.status.rawValue)\(run.error.map { ": \($0)" } ?? "")")
        try lines.append("files     \(c.compressed) compressed, \(c.duplicate) duplicate, \(c.skipped) skipped, \(c.failed) failed, \(c.unchanged) unchanged")
        let ratio = c.ratio.map { String(format: "%.2f", $0) } ?? "-"
        try lines.append("bytes     \(c.bytesIn) in, \(c.bytesOut) out, ratio \(ratio)")
        if let email { try lines.append("email     \(email)") }
        let summary = try fileSummary(limit: Self.listLimit)
        let storedCount = summary.storedCount
        let duplicateCount = summary.duplicateCount
        if storedCount > 0 {
            try lines.append("")
            try lines.append("Compressed (\(storedCount)):")
            for file in summary.stored {
                try lines.append("  \(file.sourcePath) -> \(file.destinationPath)  \(file.size) -> \(file.storedSize) bytes")
            }
            if storedCount > Self.listLimit { try lines.append("  ... and \(storedCount - Self.listLimit) more (pybak report --json has them all)") }
        }
        if duplicateCount > 0 {
            try lines.append("")
            try lines.append("Duplicates, already stored (\(duplicateCount)):")
            for file in summary.duplicates { try lines.append("  \(file.sourcePath) = \(file.destinationPath)") }
            if duplicateCount > Self.listLimit { try lines.append("  ... and \(duplicateCount - Self.listLimit) more") }
        }
        if let uploads, !uploads.isEmpty {
            let done = uploads.filter { $0.state == "uploaded" }
            try lines.append("")
            try lines.append("Uploaded (\(done.count) of \(uploads.count)):")
            for upload in uploads.prefix(Self.listLimit) {
                let where_ = upload.url ?? "\(upload.target)://\(upload.bucket)/\(upload.key)"
                try lines.append("  \(upload.sourcePath) -> \(where_)  \(upload.state == "uploaded" ? "etag \(upload.etag ?? "-")" : "pending after \(upload.attempts) failed attempt(s)")")
            }
            if uploads.count > Self.listLimit { try lines.append("  ... and \(uploads.count - Self.listLimit) more") }
        }
        for outcome in [RunProblem.Outcome.failed, .skipped] {
            let list = problems.filter { $0.outcome == outcome }
            guard !list.isEmpty else { continue }
            try lines.append("")
            try lines.append("\(outcome == .failed ? "Failed" : "Skipped") (\(list.count)):")
            for problem in list.prefix(Self.listLimit) { try lines.append("  \(problem.path): \(problem.reason)") }
            if list.count > Self.listLimit { try lines.append("  ... and \(list.count - Self.listLimit) more") }
        }
    }

    /// The JSON form (every file listed), whole in memory: for small reports; files get `writeJSON(to:)`.
    /// - Throws: the catalog's errors when the files are read from it.
    public var json: String {
        get throws {
            let stream = ReportStream()
            try writeJSON(to: stream)
            return stream.text
        }
    }

    /// Writes the JSON form, one catalogued file, upload or problem at a time, so the text of a report
    /// over a million files is never held whole (nor, for a report over a catalog, its file rows). Same keys and values as the `Codable` form (keys sorted,
    /// absent optionals left out), one list entry per line.
    /// - Throws: `SystemError` when the stream's file cannot take it; `EncodingError` for a value JSON cannot hold.
    public func writeJSON(to stream: ReportStream) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func value(_ item: some Encodable) throws { try stream.write(bytes: try encoder.encode(item)) }
        func list<T: Encodable>(_ items: [T]) throws {
            try stream.write("[")
            for (index, item) in items.enumerated() {
                try stream.write(index == 0 ? "\n" : ",\n")
                try value(item)
            }
            try stream.write(items.isEmpty ? "]" : "\n]")
        }
        // Keys in sorted order, as `.sortedKeys` would give them.
        try stream.write("{")
        if let durationSeconds {
            try stream.write("\"durationSeconds\":")
            try value(durationSeconds)
            try stream.write(",")
        }
        if let email {
            try stream.write("\"email\":")
            try value(email)
            try stream.write(",")
        }
        try stream.write("\"files\":[")
        var first = true
        var row: [UInt8] = []
        try forEachFile { file in
            row.removeAll(keepingCapacity: true)
            row.append(contentsOf: first ? [0x0A] : [0x2C, 0x0A])  // "\n" or ",\n"
            first = false
            file.appendJSON(to: &row)
            try stream.write(bytes: row)
        }
        try stream.write(first ? "]" : "\n]")
        try stream.write(",\"problems\":")
        try list(problems)
        try stream.write(",\"run\":")
        try value(run)
        if let uploads {
            try stream.write(",\"uploads\":")
            try list(uploads)
        }
        try stream.write("}\n")
    }

    static let listLimit = 200
}

/// The stored and duplicate files of a report: counts, and the first entries of each list.
struct FileSummary {
    var storedCount = 0
    var duplicateCount = 0
    var stored: [FileRecord] = []
    var duplicates: [FileRecord] = []
}

/// Writes reports under `DEST/.pybak/reports/`.
public enum ReportWriter {
    /// Writes `run-<id>.txt` and `run-<id>.json` (each streamed to a temporary name, then renamed); returns their paths.
    /// - Throws: `SystemError` naming the file when it cannot be written.
    public static func write(_ report: PassReport, folder: String) throws -> [String] {
        let base = "\(folder)/run-\(report.run.id)"
        let paths = ["\(base).txt", "\(base).json"]
        try stream(to: paths[0]) { try report.writeText(to: $0) }
        try stream(to: paths[1]) { try report.writeJSON(to: $0) }
        return paths
    }

    /// Streams `body` into `path` through a temporary file beside it, replacing `path` only when complete.
    static func stream(to path: String, _ body: (ReportStream) throws -> Void) throws {
        let temporary = "\(path).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("create", temporary) }
        do {
            let stream = ReportStream(fd: fd, path: temporary)
            try body(stream)
            try stream.flush()
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = SystemError("rename to", path)
            unlink(temporary)
            throw error
        }
    }
}

/// Lines of a text report, each written as soon as it is appended.
struct ReportLines {
    let stream: ReportStream

    init(_ stream: ReportStream) { self.stream = stream }

    func append(_ line: String) throws {
        try stream.write(line)
        try stream.write("\n")
    }
}
