import ArgumentParser
import Catalog
import Foundation
import PyBakCore

/// `--database URL` and `--database-password-file FILE`: PostgreSQL instead of the SQLite file.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: "PostgreSQL catalog: postgresql://USER@HOST:PORT/DB?sslmode=MODE (default: the SQLite file). Env: PYBAK_DATABASE_URL."
    )
    var url: String?

    @Option(
        name: .customLong("database-password-file"),
        help: "File holding the PostgreSQL password, e.g. a mounted Secret (one trailing newline is ignored). Env: PYBAK_DATABASE_PASSWORD_FILE."
    )
    var passwordFile: String?

    /// The PostgreSQL catalog chosen by flags or environment, or nil for SQLite.
    /// - Throws: `PyBakError` (usage/config) naming the flag or file and what to do; never shows the password.
    func target(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseTarget? {
        func env(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let passwordPath = passwordFile ?? env("PYBAK_DATABASE_PASSWORD_FILE")
        guard let url = url ?? env("PYBAK_DATABASE_URL") else {
            if let passwordPath {
                throw PyBakError(.usage, "a database password file (\(passwordPath)) was given without a database: pass --database URL or set PYBAK_DATABASE_URL")
            }
            return nil
        }
        let password = try passwordPath.map(Self.readPassword)
        do {
            return try DatabaseTarget(url: url, password: password)
        } catch let error as CatalogError {
            throw PyBakError(.config, "--database / PYBAK_DATABASE_URL: \(error.message)")
        }
    }

    /// The file's text without one trailing newline.
    static func readPassword(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PyBakError(.config, "cannot read the database password file \(path); check it exists and is readable (--database-password-file)")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else {
            throw PyBakError(.config, "the database password file \(path) is empty; put the password in it (--database-password-file)")
        }
        return text
    }
}

/// Opens and migrates the catalog a command uses.
enum CatalogOpening {
    /// PostgreSQL when `database` is given, else the SQLite file at `sqlitePath`.
    /// - Throws: `PyBakError.catalog` naming the catalog (never the password) and what to do.
    static func open(database: DatabaseTarget?, sqlitePath: String) throws -> any Catalog {
        do {
            let catalog: any Catalog = try database.map { try PostgresCatalog(target: $0) } ?? SQLiteCatalog(path: sqlitePath)
            try catalog.migrate()
            return catalog
        } catch let error as CatalogError {
            throw PyBakError(.catalog, error.message)
        }
    }
}
