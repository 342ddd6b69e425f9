import ArgumentParser
import Catalog
import Foundation
import PyBakCore

/// `--dest` and `--catalog`, shared by the commands that read a destination's catalog.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("dest"), help: "The backup destination (as in `run`). Env: PYBAK_DEST.")
    var destination: String?

    @Option(name: .customLong("catalog"), help: "The SQLite catalog file (default DEST/.pybak/catalog.sqlite). Env: PYBAK_CATALOG.")
    var catalogPath: String?

    @Option(name: .customLong("policy"), help: "Only this policy's files (default: every policy in the catalog).")
    var policy: String?

    @OptionGroup var database: DatabaseOptions

    /// The destination folder, or a usage error naming the flag.
    func destinationDir(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let path = destination ?? environment["PYBAK_DEST"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw PyBakError(.usage, "no destination: pass --dest DIR (the backup destination) or set PYBAK_DEST")
        }
        return SettingsResolver.normalize(path)
    }

    /// Opens and migrates the catalog: PostgreSQL with `--database`, else the SQLite file.
    func open(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Catalog {
        if let target = try database.target(environment: environment) {
            return try CatalogOpening.open(database: target, sqlitePath: "")
        }
        let path: String
        if let explicit = catalogPath ?? environment["PYBAK_CATALOG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            path = explicit
        } else {
            path = "\(try destinationDir(environment))/\(PassSettings.stateFolderName)/catalog.sqlite"
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw PyBakError(.catalog, "no catalog at \(path); run a pass first or pass the right --dest / --catalog")
        }
        do {
            let catalog = try SQLiteCatalog(path: path)
            try catalog.migrate()
            return catalog
        } catch {
            throw PyBakError(.catalog, "\(error)")
        }
    }
}
