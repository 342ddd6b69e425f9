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

    /// Runs one pass to its end.
    /// - Throws: `PyBakError` when the pass cannot start.
    func run() async throws -> PassResult {
        let settings = self.settings
        let stderrLevel = self.stderrLevel
        let trigger = self.trigger
        let cancellation = self.cancellation
        let database = self.database
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try Self.runBlocking(settings, stderrLevel: stderrLevel, trigger: trigger, cancellation: cancellation, database: database)
                })
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private static func runBlocking(
        _ settings: PassSettings, stderrLevel: Logger.Level, trigger: RunTrigger, cancellation: CancellationFlag, database: DatabaseTarget?
    ) throws -> PassResult {
        // A server catalog is reached before anything on disk is touched: when it is down, nothing changes.
        let server = try database.map { try CatalogOpening.open(database: $0, sqlitePath: settings.catalogPath) }
        try BackupPass.prepareDestination(settings)
        let key = try settings.encryption.map {
            try KeyLoader.load($0, environment: ProcessInfo.processInfo.environment, destination: settings.destinationDir, createParameters: true)
        }
        let logFile = try LineSink.appending(to: settings.logFilePath)
        let buffer = CatalogLogBuffer()
        let progress = ProgressLine()
        let logger = LogSetup.logger(stderrLevel: stderrLevel, logFile: logFile, catalogBuffer: buffer, progress: progress)
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
            uploaders: try UploaderFactory.make(settings.cloud, logger: logger)
        )
        progress.start()
        var result: PassResult
        do {
            result = try pass.run()
        } catch {
            progress.stop()
            throw error
        }
        progress.stop()
        if let delivery = catalog as? any Catalog & ReportDeliveryLog {
            ReportDelivery.deliver(&result, settings: settings, catalog: delivery, logger: logger)
        }
        _ = try? buffer.flush(to: catalog)
        return result
    }
}
