import Archive
import BackupPipeline
import Catalog
import Foundation
import Logging
import PyBakCore
import Uploaders

/// Wires one pass: folders checked, log file and catalog opened, the pass run on its own
/// threads (never blocking the async runtime), logs flushed to the catalog.
struct PassRunner: Sendable {
    let settings: PassSettings
    let stderrLevel: Logger.Level
    let trigger: RunTrigger
    let cancellation: CancellationFlag
    /// The PostgreSQL catalog, or nil for the SQLite file in the settings.
    let database: DatabaseTarget?
    /// Live counters to share (the daemon's `/status`); nil for a private progress line.
    var progress: PassProgress? = nil
    /// Told the run id once the run is recorded.
    var onRunStarted: (@Sendable (Int64) -> Void)? = nil
    /// Who asked for the pass (the API caller), added to every log line of the pass.
    var requestedBy: String? = nil

    /// Runs one pass to its end.
    /// - Throws: `PyBakError` when the pass cannot start.
    func run() async throws -> PassResult {
        let settings = self.settings
        let stderrLevel = self.stderrLevel
        let trigger = self.trigger
        let cancellation = self.cancellation
        let extras = Extras(progress: progress, onRunStarted: onRunStarted, requestedBy: requestedBy)
        let database = self.database
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try Self.runBlocking(settings, stderrLevel: stderrLevel, trigger: trigger, cancellation: cancellation, database: database, extras: extras)
                })
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private struct Extras: Sendable {
        var progress: PassProgress?
        var onRunStarted: (@Sendable (Int64) -> Void)?
        var requestedBy: String?
    }

    private static func runBlocking(
        _ settings: PassSettings, stderrLevel: Logger.Level, trigger: RunTrigger, cancellation: CancellationFlag, database: DatabaseTarget?,
        extras: Extras
    ) throws -> PassResult {
        // A server catalog is reached before anything on disk is touched: when it is down, nothing changes.
        let server = try database.map { try CatalogOpening.open(database: $0, sqlitePath: settings.catalogPath) }
        try BackupPass.prepareDestination(settings)
        let key = try settings.encryption.map {
            try KeyLoader.load($0, environment: ProcessInfo.processInfo.environment, destination: settings.destinationDir, createParameters: true)
        }
        let logFile = try LineSink.appending(to: settings.logFilePath)
        let buffer = CatalogLogBuffer()
        let progress = extras.progress.map { ProgressLine(counters: $0) } ?? ProgressLine()
        var logger = LogSetup.logger(stderrLevel: stderrLevel, logFile: logFile, catalogBuffer: buffer, progress: progress)
        if let requestedBy = extras.requestedBy { logger[metadataKey: "requested.by"] = "\(requestedBy)" }
        let catalog: any Catalog
        do {
            catalog = try server ?? CatalogOpening.open(database: nil, sqlitePath: settings.catalogPath)
        } catch {
            logger.error("cannot open the catalog", metadata: ["catalog": "\(settings.catalogPath)", "reason": "\(error)"])
            throw error
        }
        (catalog as? PostgresCatalog)?.logger = logger
        let pass = BackupPass(
            settings: settings, catalog: catalog, logger: logger, trigger: trigger, cancellation: cancellation,
            progress: progress.counters, logBuffer: buffer, encryptionKey: key,
            uploaders: try UploaderFactory.make(settings.cloud, logger: logger, stateFolder: "\(settings.destinationDir)/\(PassSettings.stateFolderName)")
        )
        pass.onRunStarted = extras.onRunStarted
        progress.start()
        var result: PassResult
        do {
            result = try pass.run()
        } catch {
            progress.stop()
            throw error
        }
        progress.stop()
        if settings.pruneAfterPass, let rules = settings.retention, !settings.dryRun {
            do {
                let pruner = Pruner(destination: settings.destinationDir, sourceDir: settings.sourceDir, catalog: catalog, logger: logger)
                let done = try pruner.apply(try pruner.plan(rules, policy: settings.policyName))
                logger.notice("pruned after the pass", metadata: [
                    "prune.rows": "\(done.rows)", "prune.copies": "\(done.copies)", "prune.bytes": "\(done.bytes)",
                ])
            } catch {
                logger.error("pruning after the pass failed; the pass itself is complete", metadata: ["reason": "\(error)"])
            }
        }
        if let delivery = catalog as? any Catalog & ReportDeliveryLog {
            ReportDelivery.deliver(&result, settings: settings, catalog: delivery, logger: logger)
        }
        _ = try? buffer.flush(to: catalog)
        logFile.flush()
        return result
    }
}
