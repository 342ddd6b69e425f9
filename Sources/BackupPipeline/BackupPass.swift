import Archive
import Catalog
import Foundation
import Logging
import PyBakCore
import Synchronization
import Uploaders

/// One backup pass over a source folder: scan -> plan -> compress (N in parallel) -> commit -> report.
public final class BackupPass {
    private let settings: PassSettings
    private let catalog: any Catalog
    private let trigger: RunTrigger
    private let opener: any SourceOpener
    private let cancellation: CancellationFlag
    private let progress: PassProgress?
    private let logBuffer: CatalogLogBuffer?
    private let encryptionKey: EncryptionKey?
    private let uploaders: [any ObjectUploader]
    private var logger: Logger
    /// Called with the run id as soon as the run is recorded (before any file is read).
    public var onRunStarted: (@Sendable (Int64) -> Void)?

    /// Files committed per catalog transaction (and per sync of the destination), at most.
    static let batchSize = 512
    /// How much lower the compressing workers' scheduling priority is than the committer's (nice steps).
    /// At 10 the committer keeps up with two workers on two cores (batches stay near `batchSize`); without it the
    /// workers ran ahead, the committer fell behind by thousands of files and finished them alone at the end.
    static let workerNice: Int32 = 10
    /// Seconds a finished file waits at most before its batch is committed.
    static let batchMaxWait = 2.0

    /// Prepares a pass.
    /// - Parameters:
    ///   - settings: resolved settings.
    ///   - catalog: an open, migrated catalog.
    ///   - logger: the pass adds `policy.name` and `run.id` metadata.
    ///   - trigger: how the pass was started.
    ///   - opener: how sources are opened (tests inject faults here).
    ///   - cancellation: raised to stop after the files in flight.
    ///   - progress: live counters for a progress line.
    ///   - logBuffer: log records to write to the catalog after each batch.
    ///   - encryptionKey: when set, stored copies are encrypted with it (`.gz.enc`); load it with `KeyLoader`.
    ///   - uploaders: object stores each committed copy goes to (the catalog must be an `UploadLedger`).
    public init(
        settings: PassSettings, catalog: any Catalog, logger: Logger, trigger: RunTrigger = .manual,
        opener: any SourceOpener = POSIXSourceOpener(), cancellation: CancellationFlag = CancellationFlag(), progress: PassProgress? = nil,
        logBuffer: CatalogLogBuffer? = nil, encryptionKey: EncryptionKey? = nil, uploaders: [any ObjectUploader] = []
    ) {
        self.uploaders = uploaders
        self.logBuffer = logBuffer
        self.encryptionKey = encryptionKey
        self.settings = settings
        self.catalog = catalog
        self.logger = logger
        self.trigger = trigger
        self.opener = opener
        self.cancellation = cancellation
        self.progress = progress
        self.logger[metadataKey: "policy.name"] = "\(settings.policyName)"
    }

    /// Checks the source and destination folders and creates the destination's state folders.
    /// - Throws: `PyBakError` naming the folder and what to do.
    public static func prepareDestination(_ settings: PassSettings) throws {
        try PassPreflight.check(settings)
    }

    /// Takes the destination's lock and runs the pass. The caller has called `prepareDestination` and opened the catalog.
    /// - Returns: what the pass did; failures of single files are in the counts, not thrown.
    /// - Throws: `PyBakError` when the pass cannot start (busy, catalog down).
    public func run() throws -> PassResult {
        let started = WallClock.now()
        let startedMonotonic = WallClock.monotonic()
        let lock = try DestinationLock(destination: settings.destinationDir, name: settings.shard.lockName)
        defer { withExtendedLifetime(lock) {} }

        try takePolicyLock()
        defer { try? catalog.unlockPolicy(settings.shard.policyLockName(settings.policyName)) }

        let stamp = PassStamp(epochSeconds: Int(started))
        let runId: Int64
        let abandonedRuns: Int
        do {
            // Runs still "running" belong to passes that died: this one holds the lock now.
            // Shards of one run share the policy: another shard's "running" run is alive, not abandoned.
            abandonedRuns = settings.shard.count == 1 ? try catalog.failAbandonedRuns(policy: settings.policyName, finishedAt: WallClock.iso8601(started)) : 0
            runId = try catalog.startRun(policy: settings.policyName, trigger: trigger, passStamp: stamp.compact, startedAt: WallClock.iso8601(started), host: Self.hostName)
        } catch {
            throw PyBakError(.catalog, "\(error)")
        }
        logger[metadataKey: "run.id"] = "\(runId)"
        onRunStarted?(runId)
        logger.info("pass started", metadata: [
            "source": "\(settings.sourceDir)", "destination": "\(settings.destinationDir)", "pass.stamp": "\(stamp)",
            "parallelism": "\(settings.parallelism)", "level": "\(settings.level)", "keepSource": "\(settings.keepSource)",
            "encryption.keyId": "\(encryptionKey?.id ?? "none")",
        ])
        let committer = BatchCommitter(settings: settings, catalog: catalog, logger: logger, runId: runId, stamp: stamp, keyId: encryptionKey?.id)
        committer.archive.key = encryptionKey
        var fatal: String?
        var cloud: CloudSync?
        do {
            if !uploaders.isEmpty {
                guard let ledger = catalog as? any UploadLedger else {
                    throw PyBakError(.catalog, "this catalog cannot record uploads; use the SQLite catalog for a pass with a cloud target")
                }
                let sync = CloudSync(settings: settings, ledger: ledger, uploaders: uploaders, committer: committer, logger: logger)
                committer.queueUploads = { try sync.queue($0) }
                cloud = sync
            }
            _ = try PassRecovery.run(settings: settings, catalog: catalog, committer: committer, logger: logger, abandonedRuns: abandonedRuns)
            // Uploads an earlier pass left pending go first.
            try cloud?.run()
            let work = try plan(committer: committer, now: started)
            progress?.start(files: work.count, bytes: work.reduce(0) { $0 + $1.status.size })
            fatal = try process(work, committer: committer, runId: runId, cloud: cloud)
        } catch {
            fatal = "\(error)"
            logger.error("pass stopped", metadata: ["reason": "\(error)"])
        }
        progress?.finish()

        let counts = committer.counts
        let status: RunStatus = fatal != nil ? .failed : (counts.failed > 0 ? .partial : .succeeded)
        let finished = WallClock.now()
        var result = PassResult(
            runId: runId, policy: settings.policyName, passStamp: stamp.compact, status: status, counts: counts, error: fatal,
            durationSeconds: WallClock.monotonic() - startedMonotonic, reportPaths: []
        )
        logger.log(level: status == .succeeded ? .info : .error, "pass finished", metadata: [
            "run.status": "\(status.rawValue)", "files.compressed": "\(counts.compressed)", "files.duplicate": "\(counts.duplicate)",
            "files.skipped": "\(counts.skipped)", "files.failed": "\(counts.failed)", "files.unchanged": "\(counts.unchanged)",
            "bytes.in": "\(counts.bytesIn)", "bytes.out": "\(counts.bytesOut)", "files.uploaded": "\(cloud?.uploadedCount ?? 0)",
            "duration": "\(DurationText.format(result.durationSeconds))",
        ])
        do {
            try catalog.recordProblems(committer.problems)
            try logBuffer?.flush(to: catalog)
            try catalog.finishRun(id: runId, status: status, counts: counts, finishedAt: WallClock.iso8601(finished), error: fatal)
            if let run = try catalog.run(id: runId) {
                let uploads = cloud != nil ? try (catalog as? any UploadLedger)?.uploads(runId: runId) : nil
                result.reportPaths = try ReportWriter.write(
                    PassReport(
                        run: run, catalog: catalog, problems: committer.problems, durationSeconds: result.durationSeconds,
                        uploads: uploads),
                    folder: "\(settings.destinationDir)/\(PassSettings.stateFolderName)/reports"
                )
            }
        } catch {
            logger.error("could not record the end of the pass", metadata: ["reason": "\(error)"])
            result.status = .failed
            result.error = result.error ?? "\(error)"
        }
        return result
    }

    /// One worker per policy in a shared catalog: a second one does nothing and says so (exit code 4).
    private func takePolicyLock() throws {
        let taken: Bool
        do {
            taken = try catalog.lockPolicy(settings.shard.policyLockName(settings.policyName))
        } catch {
            throw PyBakError(.catalog, "\(error)")
        }
        guard taken else {
            throw PyBakError(.busy, "another worker is already running policy '\(settings.policyName)' on this catalog (it holds the policy's lock); this one did nothing. It runs again at its next turn")
        }
    }

    /// Decides which scanned files to read: settled, storable, and (in copy mode) new or changed.
    private func plan(committer: BatchCommitter, now: Double) throws -> [ScannedFile] {
        let scanner = SourceScanner(root: settings.sourceDir, filter: settings.filter)
        let (files, findings) = try scanner.scan()
        for finding in findings where settings.shard.owns(finding.relativePath) {
            committer.note(finding.relativePath, outcome: finding.failed ? .failed : .skipped, reason: finding.reason)
        }
        let settleBefore = Int64((now - settings.minAgeSeconds) * 1e9)
        var work: [ScannedFile] = []
        work.reserveCapacity(files.count)
        for file in files where settings.shard.owns(file.relativePath) {
            if file.status.mtimeNanos > settleBefore {
                let age = max(0, now - Double(file.status.mtimeNanos) / 1e9)
                committer.note(file.relativePath, outcome: .skipped, reason: "modified \(DurationText.format(age)) ago, within the \(DurationText.format(settings.minAgeSeconds)) settle window; it waits for the next pass")
                continue
            }
            if let problem = OutputNaming.problem(storingRelativePath: file.relativePath, encrypted: encryptionKey != nil, format: settings.format) {
                committer.note(file.relativePath, outcome: .failed, reason: problem)
                continue
            }
            if settings.keepSource, let latest = try catalog.latestEntry(policy: settings.policyName, sourcePath: file.relativePath),
                latest.state == .stored, latest.size == file.status.size, latest.mtimeNanos == file.status.mtimeNanos,
                latest.sourceInode == file.status.inode
            {
                committer.noteUnchanged()
                continue
            }
            work.append(file)
        }
        return work
    }

    /// Compresses the work on `parallelism` threads while this thread commits batches.
    /// - Returns: why the pass stopped early, or nil.
    private func process(_ work: [ScannedFile], committer: BatchCommitter, runId: Int64, cloud: CloudSync?) throws -> String? {
        guard !work.isEmpty else { return nil }
        let workers = min(settings.parallelism, work.count)
        let temporary = "\(settings.destinationDir)/\(PassSettings.stateFolderName)/\(settings.shard.temporaryFolderName)"
        let processors = try (0..<workers).map {
            try FileProcessor(
                level: settings.level, opener: opener, sourceRoot: settings.sourceDir, temporaryFolder: temporary, workerIndex: $0, runId: runId,
                encryptionKey: encryptionKey, format: settings.format)
        }
        let board = WorkBoard(items: work, workers: workers)
        let progress = self.progress
        let cancellation = self.cancellation
        let workerNice = Self.workerNice
        runOnThreads(workers) { index in
            // The committer's thread is the pass's critical path: compressing workers yield the cores to it.
            if workerNice > 0 { POSIX.lowerThreadPriority(by: workerNice) }
            let processor = processors[index]
            while !cancellation.isRaised, let file = board.take() {
                let outcome = processor.process(file)
                if case .ready = outcome { progress?.add(files: 1, bytes: file.status.size) } else { progress?.add(files: 1, bytes: 0) }
                board.complete(outcome)
            }
            board.workerFinished()
        }
        var stopReason: String?
        while let batch = board.awaitBatch(batch: Self.batchSize, maxWait: Self.batchMaxWait) {
            do {
                try committer.commit(batch)
                try cloud?.run()
            } catch {
                board.stop()
                stopReason = stopReason ?? "\(error); files not yet committed stay in the source for the next pass"
                logger.error("commit failed; stopping the pass", metadata: ["reason": "\(error)"])
                // Drain what the workers still finish; their temporary copies are removed by the next pass.
                while board.awaitBatch(batch: Self.batchSize, maxWait: Self.batchMaxWait) != nil {}
                break
            }
            flushLogs()
            committer.timings.mark("flushLogs")
            if committer.diskFull && stopReason == nil {
                board.stop()
                stopReason = "the destination \(settings.destinationDir) is full; the pass stopped and the remaining files stay in the source. Free space and run again"
                logger.error("destination full; stopping the pass", metadata: ["destination": "\(settings.destinationDir)"])
            }
            if cancellation.isRaised && stopReason == nil {
                board.stop()
            }
        }
        if settings.format.isArchive {
            // One archive per pass: committed once the workers are done (also after a stop request), dropped after a failure.
            if stopReason == nil {
                do {
                    try committer.finishArchive()
                } catch {
                    committer.abandonArchive()
                    stopReason = "\(error); files not yet committed stay in the source for the next pass"
                    logger.error("archive commit failed; stopping the pass", metadata: ["reason": "\(error)"])
                }
            } else {
                committer.abandonArchive()
            }
            if committer.diskFull && stopReason == nil {
                stopReason = "the destination \(settings.destinationDir) is full; the pass stopped and the remaining files stay in the source. Free space and run again"
            }
            // The archive is durable, verified and recorded: its one object goes up now (and on later passes if this fails).
            do {
                try cloud?.run()
            } catch {
                stopReason = stopReason ?? "\(error); the archive's upload stays pending for the next pass"
                logger.error("upload bookkeeping failed; stopping the pass", metadata: ["reason": "\(error)"])
            }
        }
        // The sources of the last batches go before the pass ends (the remover thread may still be at them).
        do {
            try committer.finishRemovals()
        } catch {
            stopReason = stopReason ?? "\(error); sources not yet recorded as removed are checked again by the next pass"
            logger.error("could not record removed sources; stopping the pass", metadata: ["reason": "\(error)"])
        }
        committer.timings.mark("finishRemovals")
        logger.info("commit steps", metadata: committer.timings.metadata.mapValues { .string($0) })
        let untaken = board.untakenCount
        if untaken > 0 && stopReason == nil {
            logger.notice("pass interrupted; untouched files wait for the next pass", metadata: ["files.untouched": "\(untaken)"])
        }
        return stopReason
    }

    private func flushLogs() {
        do {
            try logBuffer?.flush(to: catalog)
        } catch {
            logger.warning("could not write log lines to the catalog", metadata: ["reason": "\(error)"])
        }
    }

    static let hostName: String = ProcessInfo.processInfo.hostName
}

/// Live counters for a progress line; safe to read from another thread.
public final class PassProgress: Sendable {
    private let state = Mutex<(totalFiles: Int, totalBytes: Int64, doneFiles: Int, doneBytes: Int64, started: Double, running: Bool)>((0, 0, 0, 0, 0, false))

    /// Empty counters.
    public init() {}

    func start(files: Int, bytes: Int64) {
        state.withLock { $0 = (files, bytes, 0, 0, WallClock.monotonic(), true) }
    }

    func add(files: Int, bytes: Int64) {
        state.withLock {
            $0.doneFiles += files
            $0.doneBytes += bytes
        }
    }

    func finish() { state.withLock { $0.running = false } }

    /// The counters now: files and bytes done and planned, and whether the pass is compressing.
    public var snapshot: (doneFiles: Int, totalFiles: Int, doneBytes: Int64, totalBytes: Int64, running: Bool) {
        let s = state.withLock { $0 }
        return (s.doneFiles, s.totalFiles, s.doneBytes, s.totalBytes, s.running)
    }

    /// A one-line summary: `412/2000 files  37.2/200.0 MB  41.3 MB/s`, or nil before the work starts.
    public var line: String? {
        let s = state.withLock { $0 }
        guard s.running else { return nil }
        let elapsed = max(0.001, WallClock.monotonic() - s.started)
        let mb = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1e6) }
        return "\(s.doneFiles)/\(s.totalFiles) files  \(mb(s.doneBytes))/\(mb(s.totalBytes)) MB  \(mb(Int64(Double(s.doneBytes) / elapsed))) MB/s"
    }
}
