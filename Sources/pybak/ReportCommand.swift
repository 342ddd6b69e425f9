import ArgumentParser
import BackupPipeline
import Catalog
import Foundation
import PyBakCore

/// `pybak report`: print the report of a run from the catalog.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the report of a run from the catalog."
    )

    @Option(name: .customLong("dest"), help: "The backup destination (finds DEST/.pybak/catalog.sqlite). Env: PYBAK_DEST.")
    var destination: String?

    @Option(name: .customLong("catalog"), help: "The SQLite catalog file. Env: PYBAK_CATALOG.")
    var catalogPath: String?

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("run"), help: "The run id.")
    var runId: Int64?

    @Flag(name: .customLong("last"), help: "The newest run (default).")
    var last = false

    @Option(name: .customLong("policy"), help: "With --last: the newest run of this policy.")
    var policy: String?

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func validate() throws {
        if runId != nil && last { throw ValidationError("--run and --last exclude each other") }
    }

    func run() throws {
        try CommandErrors.exiting {
            let environment = ProcessInfo.processInfo.environment
            let target = try database.target(environment: environment)
            let path = catalogPath ?? environment["PYBAK_CATALOG"]
                ?? (destination ?? environment["PYBAK_DEST"]).map({ "\($0)/\(PassSettings.stateFolderName)/catalog.sqlite" })
            if target == nil {
                guard let path else {
                    throw PyBakError(.usage, "no catalog: pass --dest DIR (the backup destination), --catalog FILE, or --database URL")
                }
                guard FileManager.default.fileExists(atPath: path) else {
                    throw PyBakError(.catalog, "no catalog at \(path); run a pass first or pass the right --dest")
                }
            }
            let name = target?.display ?? path ?? ""
            let catalog = try CatalogOpening.open(database: target, sqlitePath: path ?? "")
            let id: Int64
            if let runId {
                id = runId
            } else {
                guard let newest = try catalog.lastRun(policy: policy) else {
                    throw PyBakError(.catalog, "the catalog \(name) has no runs yet")
                }
                id = newest.id
            }
            guard let report = try PassReport.load(runId: id, from: catalog) else {
                throw PyBakError(.usage, "no run \(id) in \(name); `pybak report --last` shows the newest")
            }
            let stdout = ReportStream(fd: 1, path: "standard output")
            if json { try report.writeJSON(to: stdout) } else { try report.writeText(to: stdout) }
            try stdout.flush()
        }
    }
}
