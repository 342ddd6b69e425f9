import Catalog
import Foundation
import PyBakCore

extension PassReport {
    /// The e-mail subject: policy, result and the counts that matter.
    public var subject: String {
        let c = run.counts
        return "[PyBak] \(run.policy): \(run.status.rawValue) — \(c.compressed) compressed, \(c.duplicate) duplicate, \(c.failed) failed"
    }

    /// Whether the pass did anything worth a mail under `when: changes`.
    public var hasChanges: Bool {
        let c = run.counts
        return c.compressed + c.duplicate + c.failed > 0
    }

    /// Whether the pass was partial or failed.
    public var hasFailures: Bool { run.status == .partial || run.status == .failed }

    /// The HTML form: a summary table, then the files, uploads and problems (each list capped at `listLimit`).
    /// - Throws: the catalog's errors when the files are read from it.
    public var html: String {
        get throws {
            let c = run.counts
            let ratio = c.ratio.map { String(format: "%.2f", $0) } ?? "-"
            var h = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\(Self.escape(subject))</title></head>"
            h += "<body style=\"font-family:sans-serif\"><h2>PyBak report — policy \(Self.escape(run.policy)), run \(run.id)</h2><table cellpadding=\"4\">"
            let rows: [(String, String)] = [
                ("Result", run.status.rawValue + (run.error.map { ": \($0)" } ?? "")),
                ("Started", run.startedAt), ("Finished", run.finishedAt ?? "-"),
                ("Duration", durationSeconds.map { DurationText.format($0) } ?? "-"),
                ("Files", "\(c.compressed) compressed, \(c.duplicate) duplicate, \(c.skipped) skipped, \(c.failed) failed, \(c.unchanged) unchanged"),
                ("Bytes in", "\(c.bytesIn)"), ("Bytes out", "\(c.bytesOut)"), ("Ratio", ratio),
            ]
            for (name, value) in rows { h += "<tr><th align=\"left\">\(name)</th><td>\(Self.escape(value))</td></tr>" }
            h += "</table>"
            let failed = problems.filter { $0.outcome == .failed }.map { "\($0.path): \($0.reason)" }
            let skipped = problems.filter { $0.outcome == .skipped }.map { "\($0.path): \($0.reason)" }
            let summary = try fileSummary(limit: Self.listLimit)
            h += Self.list("Failed", failed)
            h += Self.list(
                "Compressed", summary.stored.map { "\($0.sourcePath) → \($0.destinationPath) (\($0.size) → \($0.storedSize) bytes)" },
                count: summary.storedCount)
            h += Self.list("Duplicates, already stored", summary.duplicates.map { "\($0.sourcePath) = \($0.destinationPath)" }, count: summary.duplicateCount)
            h += Self.list("Uploads", (uploads ?? []).map { "\($0.sourcePath) → \($0.url ?? "\($0.target)://\($0.bucket)/\($0.key)") (\($0.state))" })
            h += Self.list("Skipped", skipped)
            return h + "</body></html>\n"
        }
    }

    /// A titled list of the first `listLimit` items of `count` (the number of items when nil).
    private static func list(_ title: String, _ items: [String], count: Int? = nil) -> String {
        let total = count ?? items.count
        guard total > 0 else { return "" }
        var h = "<h3>\(escape(title)) (\(total))</h3><ul>"
        for item in items.prefix(listLimit) { h += "<li>\(escape(item))</li>" }
        if total > listLimit { h += "<li>… and \(total - listLimit) more (pybak report --json has them all)</li>" }
        return h + "</ul>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
