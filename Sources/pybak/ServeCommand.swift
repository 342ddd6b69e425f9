import APIServer
import ArgumentParser
import Catalog
import Foundation
import KubeClient
import Logging
import PyBakCore
import ServiceLifecycle

/// `pybak serve`: the REST API and dashboard over a catalog, without running passes.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API and dashboard over a catalog; with --kubernetes, POST /compress creates Jobs from the policies' CronJobs.",
        discussion: """
            Every endpoint but /healthz, /readyz, / and /openapi.yaml needs an OAuth 2 bearer JWT from --oidc-issuer \
            with aud --oidc-audience: scope pybak.read for GET, pybak.trigger for POST /compress. Without an issuer, \
            authentication is off, which is allowed only on a loopback address. Without --kubernetes (or --kubeconfig, \
            --context), POST /compress answers 501.
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

    @Flag(name: .customLong("kubernetes"), help: "POST /compress creates a Job from the policy's CronJob (in-cluster config, else the kubeconfig). Env: PYBAK_KUBERNETES=true.")
    var kubernetes = false

    @Option(name: .customLong("kubeconfig"), help: "kubeconfig file for --kubernetes (implies it; default: in-cluster, else $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "kubeconfig context for --kubernetes (implies it).")
    var context: String?

    @Option(name: .customLong("namespace"), help: "With --kubernetes: only policies in this namespace (default: all namespaces).")
    var namespace: String?

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
            let trigger = try clusterTrigger(environment: environment, logger: logger)
            let server = try api.server(address: address, database: database, catalogPath: path, trigger: trigger, statusSource: nil, logger: logger)
            server.logStartup()
            Task { await server.probeIssuer() }
            let group = ServiceGroup(services: [server.application()], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }

    /// The Kubernetes trigger when asked for (`--kubernetes`, `--kubeconfig`, `--context` or PYBAK_KUBERNETES=true), else nil.
    private func clusterTrigger(environment: [String: String], logger: Logger) throws -> ClusterPassTrigger? {
        let flag = environment["PYBAK_KUBERNETES"].map { ["1", "true", "yes"].contains($0.lowercased()) } ?? false
        guard kubernetes || kubeconfig != nil || context != nil || flag else { return nil }
        var environment = environment
        if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
        let config: KubeClientConfig
        do {
            config = try KubeClientConfig.load(context: context, environment: environment)
        } catch {
            throw PyBakError(.config, "POST /compress needs the Kubernetes API: \(error)")
        }
        logger.notice("POST /compress creates Jobs from the policies' CronJobs", metadata: [
            "kube.server": "\(config.server)", "kube.config": "\(config.origin)", "kube.namespace": "\(namespace ?? "all")",
        ])
        return ClusterPassTrigger(api: KubeAPI(config: config, logger: logger), namespace: namespace ?? KubeAPI.allNamespaces, logger: logger)
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
