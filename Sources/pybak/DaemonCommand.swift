import ArgumentParser
import BackupPipeline
import Catalog
import Logging
import PyBakCore
import ServiceLifecycle

/// `pybak daemon`: a pass every interval until SIGTERM/SIGINT.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run a pass every --interval (default 2m) until SIGTERM or SIGINT.",
        discussion: """
            A pass that overruns the interval delays the next one; passes never overlap. On SIGTERM the \
            pass in progress finishes the files in flight, commits them, and the daemon exits 0.
            """
    )

    @OptionGroup var options: PassOptions

    @Option(name: .customLong("interval"), help: "Time between pass starts (default 2m). Env: PYBAK_INTERVAL.")
    var interval: String?

    @OptionGroup var api: APIOptions

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let seconds = try DurationText.seconds(interval ?? environment["PYBAK_INTERVAL"] ?? "2m", field: "--interval")
            guard seconds >= 1 else { throw PyBakError(.usage, "--interval must be at least 1s") }
            let settings = try options.settings(dryRun: false)
            let level = try options.stderrLevel()
            let logger = LogSetup.logger(stderrLevel: level, logFile: nil, catalogBuffer: nil, progress: nil)
            let database = try options.database.target()
            let coordinator = PassCoordinator(policy: settings.policyName)
            let schedule = PassSchedule(
                settings: settings, interval: seconds, stderrLevel: level, logger: logger, database: database, coordinator: coordinator
            )
            var services: [any Service] = [schedule]
            if let address = try api.address() {
                // The API over the same catalog; POST /compress starts a pass here, never alongside another.
                let trigger = LocalPassTrigger(settings: settings, stderrLevel: level, database: database, coordinator: coordinator, logger: logger)
                try BackupPass.prepareDestination(settings)
                let server = try api.server(
                    address: address, database: database, catalogPath: settings.catalogPath, trigger: trigger, statusSource: coordinator, logger: logger)
                server.logStartup()
                Task { await server.probeIssuer() }
                services.append(server.application())
            }
            let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
            if let failure = await schedule.startupFailure.value { throw failure }
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }
}

import Foundation

/// The daemon's loop as a lifecycle service: pass, wait, pass; graceful shutdown stops it between files.
struct PassSchedule: Service {
    let settings: PassSettings
    let interval: Double
    let stderrLevel: Logger.Level
    let logger: Logger
    /// The PostgreSQL catalog, or nil for SQLite.
    let database: DatabaseTarget?
    let coordinator: PassCoordinator
    /// Set when the first pass cannot start at all (bad folders): the daemon exits with that error.
    let startupFailure = FailureBox()

    func run() async throws {
        let cancellation = coordinator.cancellation
        let coordinator = self.coordinator
        try await withGracefulShutdownHandler {
            var passes = 0
            while !cancellation.isRaised {
                let started = WallClock.monotonic()
                let progress = await coordinator.begin()
                do {
                    let runner = PassRunner(
                        settings: settings, stderrLevel: stderrLevel, trigger: .schedule, cancellation: cancellation, database: database,
                        progress: progress,
                        onRunStarted: { id in Task { await coordinator.started(runId: id) } }
                    )
                    let result = try await runner.run()
                    logger.notice("scheduled pass done", metadata: [
                        "run.id": "\(result.runId)", "run.status": "\(result.status.rawValue)",
                        "files.compressed": "\(result.counts.compressed)", "files.failed": "\(result.counts.failed)",
                    ])
                } catch let error as PyBakError {
                    if passes == 0 && error.code != .busy {
                        await startupFailure.set(error)
                        await coordinator.end()
                        return
                    }
                    logger.error("scheduled pass could not run", metadata: ["reason": "\(error.message)"])
                }
                passes += 1
                await coordinator.end()
                let wait = max(0, interval - (WallClock.monotonic() - started))
                await coordinator.setNextRun(WallClock.now() + wait)
                if wait > 0 {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
                }
            }
        } onGracefulShutdown: {
            cancellation.raise()
        }
        // A pass started through the API finishes its files in flight before the process exits.
        await coordinator.waitIdle()
        logger.notice("daemon stopped")
    }
}

/// Holds the error that ended the daemon.
actor FailureBox {
    private(set) var value: PyBakError?
    func set(_ error: PyBakError) { value = error }
}
