import ArgumentParser
import Catalog
import Foundation
import PyBakCore

/// `pybak ls` / `pybak files`: list catalogued files.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the files in the catalog (what `restore` can bring back).",
        aliases: ["files"]
    )

    @OptionGroup var catalog: CatalogOptions

    @OptionGroup var selector: FileSelectorOptions

    @Option(name: .customLong("since"), help: "Catalogued at or after this time (UTC; 2026-11-27, 2026-11-27T03:54:00Z, a pass stamp, or 24h ago).")
    var since: String?

    @Option(name: .customLong("until"), help: "Catalogued at or before this time.")
    var until: String?

    @Flag(name: .customLong("all"), help: "Include rows whose copy is still pending (an interrupted pass).")
    var all = false

    @Flag(name: .customLong("json"), help: "Print a JSON array of catalog rows.")
    var json = false

    func run() throws {
        try CommandErrors.exiting {
            let opened = try catalog.open()
            let query = FileQuery(
                policy: catalog.policy, pathPrefix: selector.prefix, path: selector.path, runId: selector.runId,
                since: try since.map { try CatalogTime.parse($0, field: "--since", inclusiveEnd: false) },
                until: try until.map { try CatalogTime.parse($0, field: "--until", inclusiveEnd: true) }, storedOnly: !all)
            let rows = try opened.files(matching: query)
            if json {
                print(String(decoding: try CommandOutput.encoder().encode(rows), as: UTF8.self))
                return
            }
            print(Self.table(rows), terminator: "")
        }
    }

    /// Aligned columns, one row per file, then a total.
    static func table(_ rows: [FileRecord]) -> String {
        let header = ["ID", "RUN", "CATALOGUED", "SIZE", "KIND", "KEY", "VERIFIED", "PATH", "STORED AS"]
        let body = rows.map { row in
            [
                "\(row.id)", "\(row.runId)", String(row.createdAt.prefix(19)) + "Z", "\(row.size)",
                row.state == .pending ? "pending" : row.kind.rawValue, row.keyId ?? "-",
                row.verifiedAt.map { row.verifyError == nil ? "ok " + $0.prefix(10) : "FAILED" } ?? "-", row.sourcePath, row.destinationPath,
            ]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        let lines = ([header] + body).map { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let bytes = rows.reduce(Int64(0)) { $0 + $1.size }
        return (lines + ["\(rows.count) files, \(bytes) bytes"]).joined(separator: "\n") + "\n"
    }
}
