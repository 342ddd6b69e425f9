import APIServer
import ArgumentParser
import Catalog
import Foundation
import Logging
import PyBakCore
import ServiceLifecycle

/// `pybak serve`: the REST API and dashboard over a catalog, without running passes.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API and dashboard over a catalog (read-only; POST /compress answers 501 without a trigger).",
        discussion: """
            Every endpoint but /healthz, /readyz, / and /openapi.yaml needs an OAuth 2 bearer JWT from --oidc-issuer \
            with aud --oidc-audience: scope pybak.read for GET, pybak.trigger for POST /compress. Without an issuer, \
            authentication is off, which is allowed only on a loopback address.
            """
    )

    @OptionGroup var api: APIOptions

    @Option(name: .customLong("catalog"), help: "SQLite catalog file. Env: PYBAK_CATALOG.")
    var catalogPath: String?

    @Option(name: .customLong("dest"), help: "Destination folder whose catalog to serve (DEST/.pybak/catalog.sqlite). Env: PYBAK_DEST.")
    var destination: String?

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("log-level"), help: "Least level shown on stderr (default notice). Env: PYBAK_LOG_LEVEL.")
    var logLevel: String?

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            guard let address = try api.address() else { throw PyBakError(.usage, "pybak serve needs --listen HOST:PORT (or PYBAK_LISTEN)") }
            let database = try self.database.target(environment: environment)
            let path = database == nil ? try catalogFile(environment: environment) : ""
            let levelText = logLevel ?? environment["PYBAK_LOG_LEVEL"] ?? "notice"
            guard let level = LogLevels.parse(levelText) else { throw PyBakError(.usage, "--log-level '\(levelText)' is not a level") }
            let logger = LogSetup.logger(stderrLevel: level, logFile: nil, catalogBuffer: nil, progress: nil)
            if database != nil {
                // Reached and migrated once at start: a database that is down is a clear error, not a crash loop of 500s.
                _ = try CatalogOpening.open(database: database, sqlitePath: "")
            } else {
                do {
                    let catalog = try SQLiteCatalog(path: path)
                    try catalog.migrate()
                } catch {
                    throw PyBakError(.catalog, "cannot open the catalog \(path): \(error)")
                }
            }
            let server = try api.server(address: address, database: database, catalogPath: path, trigger: nil, statusSource: nil, logger: logger)
            server.logStartup()
            let group = ServiceGroup(services: [server.application()], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }

    private func catalogFile(environment: [String: String]) throws -> String {
        if let path = catalogPath ?? environment["PYBAK_CATALOG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard FileManager.default.fileExists(atPath: path) else {
                throw PyBakError(.catalog, "no catalog at \(path); run a pass first (pybak run) or give the right --catalog")
            }
            return path
        }
        if let dest = destination ?? environment["PYBAK_DEST"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let path = "\(dest)/.pybak/catalog.sqlite"
            guard FileManager.default.fileExists(atPath: path) else {
                throw PyBakError(.catalog, "no catalog at \(path); run a pass into \(dest) first, or give --catalog")
            }
            return path
        }
        throw PyBakError(.usage, "pybak serve needs --database URL, --catalog FILE or --dest DIR (or PYBAK_DATABASE_URL / PYBAK_CATALOG / PYBAK_DEST)")
    }
}
