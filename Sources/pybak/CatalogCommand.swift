import ArgumentParser
import Catalog
import Foundation
import PyBakCore

/// `pybak catalog`: maintenance of the catalog itself.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Maintain the catalog (SQLite file or PostgreSQL).",
        subcommands: [CatalogMigrateCommand.self]
    )
}

/// `pybak catalog migrate`: apply pending schema migrations and nothing else.
struct CatalogMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations, then exit (passes also apply them at start).",
        discussion: "Safe when several processes run it at once: PostgreSQL migrations run under an advisory lock."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("dest"), help: "SQLite: the backup destination (finds DEST/.pybak/catalog.sqlite). Env: PYBAK_DEST.")
    var destination: String?

    @Option(name: .customLong("catalog"), help: "SQLite: the catalog file. Env: PYBAK_CATALOG.")
    var catalogPath: String?

    func run() throws {
        try CommandErrors.exiting {
            let environment = ProcessInfo.processInfo.environment
            let target = try database.target(environment: environment)
            let path = catalogPath ?? environment["PYBAK_CATALOG"]
                ?? (destination ?? environment["PYBAK_DEST"]).map { "\($0)/\(PassSettings.stateFolderName)/catalog.sqlite" }
            guard target != nil || path != nil else {
                throw PyBakError(.usage, "no catalog: pass --database URL (PostgreSQL), or --dest DIR / --catalog FILE (SQLite)")
            }
            let catalog = try CatalogOpening.open(database: target, sqlitePath: path ?? "")
            let version = try catalog.schemaVersion()
            print("catalog \(target?.display ?? path ?? ""): schema version \(version)")
        }
    }
}
