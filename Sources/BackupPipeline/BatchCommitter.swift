import Catalog
import Logging
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Commits verified copies in batches, in the order that never loses a file:
/// sync copies -> record pending rows -> rename into place (never replacing) -> sync ->
/// mark rows stored -> check each source is unchanged -> remove it -> sync the source.
final class BatchCommitter {
    let settings: PassSettings
    let catalog: any Catalog
    let logger: Logger
    let runId: Int64
    let stamp: PassStamp
    /// The fingerprint of the key new copies are encrypted with; nil when not encrypted.
    let keyId: String?
    private var createdFolders: Set<String> = []
    /// Counts so far.
    var counts = RunCounts()
    /// Problems so far.
    private(set) var problems: [RunProblem] = []
    /// Removes committed sources while the next batch is committed (`finishRemovals` waits for it).
    lazy var remover = SourceRemover(root: settings.sourceDir)
    /// Where the committer's time went (logged at debug level at the end of the pass).
    var timings = CommitTimings()
    /// Set when the destination filled up: the pass stops taking new files.
    var diskFull = false
    /// zip / tar.gz: the pass's archive in the making (see `BatchCommitter+Archive.swift`).
    var archive = ArchiveState()
    /// Queues uploads of placed copies before their rows are marked stored (nil: no cloud target).
    var queueUploads: (([(id: Int64, destinationPath: String)]) throws -> Void)?

    init(settings: PassSettings, catalog: any Catalog, logger: Logger, runId: Int64, stamp: PassStamp, keyId: String? = nil) {
        self.keyId = keyId
        self.settings = settings
        self.catalog = catalog
        self.logger = logger
        self.runId = runId
        self.stamp = stamp
    }

    /// Records a file that will not be stored this pass.
    func note(_ path: String, outcome: RunProblem.Outcome, reason: String) {
        problems.append(RunProblem(runId: runId, path: path, outcome: outcome, reason: reason))
        switch outcome {
        case .skipped:
            counts.skipped += 1
            logger.warning("file skipped", metadata: ["file.path": "\(path)", "reason": "\(reason)"])
        case .failed:
            counts.failed += 1
            logger.error("file failed", metadata: ["file.path": "\(path)", "reason": "\(reason)"])
        }
    }

    /// Counts a file left alone because the catalog already holds this version (copy mode).
    func noteUnchanged() { counts.unchanged += 1 }

    struct Plan {
        var processed: ProcessedFile
        var kind: FileKind
        var destinationPath: String
        var duplicateOf: Int64?
        var id: Int64 = 0
        /// The key of the copy this row points at.
        var keyId: String?
        /// The member name when the copy is in an archive.
        var archiveMember: String? = nil
    }

    /// Commits one batch of worker outcomes.
    /// - Throws: catalog errors (the pass stops; sources of uncommitted files stay).
    func commit(_ outcomes: [ProcessOutcome]) throws {
        timings.startBatch(files: outcomes.count)
        var ready: [ProcessedFile] = []
        for outcome in outcomes {
            switch outcome {
            case .ready(let processed): ready.append(processed)
            case .deferred(let file, let reason): note(file.relativePath, outcome: .skipped, reason: reason)
            case .failed(let file, let reason, let full):
                if full { diskFull = true }
                note(file.relativePath, outcome: .failed, reason: reason)
            }
        }
        guard !ready.isEmpty else { return }
        if settings.format.isArchive { return try collectIntoArchive(ready) }
        let destination = settings.destinationDir

        // Decide stored or duplicate, and the stored name.
        var stored: [Plan] = []
        var duplicates: [Plan] = []
        var batchIndex: [String: Int] = [:]
        var chosenNames: Set<String> = []
        let known = try catalog.storedCopies(policy: settings.policyName, sha256s: ready.map(\.sha256))
        timings.mark("lookup")
        let encrypted = keyId != nil
        for processed in ready {
            if let index = batchIndex[processed.sha256] {
                duplicates.append(Plan(processed: processed, kind: .duplicate, destinationPath: stored[index].destinationPath, duplicateOf: nil, keyId: keyId))
                duplicates[duplicates.count - 1].id = -Int64(index) - 1  // resolved after the stored rows get ids
            } else if let existing = known[processed.sha256] {
                duplicates.append(
                    Plan(
                        processed: processed, kind: .duplicate, destinationPath: existing.destinationPath, duplicateOf: existing.id, keyId: existing.keyId,
                        archiveMember: existing.archiveMember))
            } else {
                let path = OutputNaming.storedPath(relativeSourcePath: processed.file.relativePath, stamp: stamp, encrypted: encrypted)
                batchIndex[processed.sha256] = stored.count
                stored.append(Plan(processed: processed, kind: .stored, destinationPath: path, duplicateOf: nil, keyId: keyId))
            }
        }
        // Names already taken in the destination get a numeric suffix (the rename below never replaces anyway).
        let taken = ParallelIO.map(stored.count) { [stored] in (try? POSIX.lstat("\(destination)/\(stored[$0].destinationPath)")) != nil }
        for index in stored.indices {
            var path = stored[index].destinationPath
            var attempt = 0
            var exists = taken[index]
            while exists || chosenNames.contains(path) {
                attempt += 1
                path = OutputNaming.storedPath(relativeSourcePath: stored[index].processed.file.relativePath, stamp: stamp, attempt: attempt, encrypted: encrypted)
                exists = (try? POSIX.lstat("\(destination)/\(path)")) != nil
            }
            chosenNames.insert(path)
            stored[index].destinationPath = path
        }
        for index in duplicates.indices where duplicates[index].duplicateOf == nil {
            duplicates[index].destinationPath = stored[Int(-duplicates[index].id - 1)].destinationPath
        }

        timings.mark("naming")
        // 1. The verified copies' bytes reach the disk before any name points at them.
        if !stored.isEmpty { try syncDestination() }
        timings.mark("syncCopies")

        // 2. Intent: pending rows, so a crash after a rename is finished, not repeated.
        let disposition: SourceDisposition = settings.keepSource ? .kept : .remove
        let storedIds = try catalog.recordPending(stored.map { row($0, disposition: disposition) })
        for index in stored.indices { stored[index].id = storedIds[index] }
        for index in duplicates.indices where duplicates[index].duplicateOf == nil {
            duplicates[index].duplicateOf = stored[Int(-duplicates[index].id - 1)].id
        }
        let duplicateIds = try catalog.recordPending(duplicates.map { row($0, disposition: disposition) })
        for index in duplicates.indices { duplicates[index].id = duplicateIds[index] }
        timings.mark("recordPending")

        // 3. Rename into place, never replacing, one after another: renames across folders take the file system's
        //    rename lock in turn, so helper threads only spun on it (perf: a third of the rename time spinning).
        var folderErrors: [String: SystemError] = [:]
        for plan in stored {
            let folder = OutputNaming.split("\(destination)/\(plan.destinationPath)").folder
            guard !createdFolders.contains(folder), folderErrors[folder] == nil else { continue }
            do {
                try POSIX.makeDirectories(folder)
                createdFolders.insert(folder)
            } catch let error as SystemError {
                folderErrors[folder] = error
            } catch {
                folderErrors[folder] = SystemError("create folder", folder, code: EIO)
            }
        }
        let renames = ParallelIO.map(stored.count, threads: 1) { [stored, folderErrors] index -> RenameOutcome in
            let plan = stored[index]
            let target = "\(destination)/\(plan.destinationPath)"
            if let error = folderErrors[OutputNaming.split(target).folder] {
                try? POSIX.unlink(plan.processed.temporaryPath)
                return .failed(error)
            }
            do {
                if try POSIX.renameNoReplace(plan.processed.temporaryPath, target) { return .placed }
                try? POSIX.unlink(plan.processed.temporaryPath)
                return .taken
            } catch let error as SystemError {
                try? POSIX.unlink(plan.processed.temporaryPath)
                return .failed(error)
            } catch {
                try? POSIX.unlink(plan.processed.temporaryPath)
                return .failed(SystemError("rename to", plan.destinationPath, code: EIO))
            }
        }
        timings.mark("rename")
        var placed: [Plan] = []
        var abandoned: [Int64] = []
        for (plan, outcome) in zip(stored, renames) {
            switch outcome {
            case .placed:
                placed.append(plan)
            case .taken:
                abandoned.append(plan.id)
                note(plan.processed.file.relativePath, outcome: .skipped, reason: "its stored name \(plan.destinationPath) was taken by another process; it waits for the next pass")
            case .failed(let error):
                abandoned.append(plan.id)
                if error.isDiskFull { diskFull = true }
                note(plan.processed.file.relativePath, outcome: .failed, reason: error.description)
            }
        }
        // Duplicates' temporary copies are not needed: their content is held by the first copy.
        _ = ParallelIO.map(duplicates.count) { [duplicates] in try? POSIX.unlink(duplicates[$0].processed.temporaryPath) }
        // Duplicates whose first copy was abandoned in this batch are abandoned too.
        let abandonedSet = Set(abandoned)
        var keptDuplicates: [Plan] = []
        for plan in duplicates {
            if let original = plan.duplicateOf, abandonedSet.contains(original) {
                abandoned.append(plan.id)
                note(plan.processed.file.relativePath, outcome: .skipped, reason: "its content's first copy in this pass could not be placed; it waits for the next pass")
            } else {
                keptDuplicates.append(plan)
            }
        }
        try catalog.dropPending(ids: abandoned)

        // 4. The new names are durable; then the rows say so.
        if !placed.isEmpty { try syncDestination() }
        timings.mark("syncNames")
        let committed = placed + keptDuplicates
        try queueUploads?(placed.map { (id: $0.id, destinationPath: $0.destinationPath) })
        try catalog.markStored(ids: committed.map(\.id))
        timings.mark("markStored")
        try release(committed, keptDuplicates: keptDuplicates)
    }

    /// Counts and logs rows just marked stored, then (move mode) removes their sources that are unchanged.
    func release(_ committed: [Plan], keptDuplicates: [Plan]) throws {
        for plan in committed {
            let file = plan.processed.file
            if plan.kind == .stored {
                counts.compressed += 1
                counts.bytesIn += file.status.size
                counts.bytesOut += plan.processed.storedSize
                logger.info("file stored", metadata: [
                    "file.path": "\(file.relativePath)", "file.stored": "\(plan.destinationPath)", "file.member": "\(plan.archiveMember ?? "")",
                    "bytes.in": "\(file.status.size)", "bytes.out": "\(plan.processed.storedSize)", "file.sha256": "\(plan.processed.sha256)",
                ])
            } else {
                counts.duplicate += 1
                logger.info("file duplicate", metadata: [
                    "file.path": "\(file.relativePath)", "file.stored": "\(plan.destinationPath)", "file.sha256": "\(plan.processed.sha256)",
                ])
            }
        }

        // 5. Only now may sources go: each must still be the very file that was read.
        //    Cloud only: a stored copy's source waits for its upload (CloudSync); duplicates' content is already held.
        timings.mark("logFiles")
        guard !settings.keepSource else { return }
        let removable = settings.cloud.keepLocalCopy || queueUploads == nil ? committed : keptDuplicates
        // The remover thread takes them from here; what it finished meanwhile is recorded now.
        remover.submit(removable.map { ($0.id, $0.processed.file) })
        try recordFinishedRemovals()
        timings.mark("recordDispositions")
    }

    /// Records which sources went and which changed before they could.
    func recordDispositions(removed: [Int64], changed: [Int64]) throws {
        try catalog.setDisposition(.removed, ids: removed)
        try catalog.setDisposition(.changed, ids: changed)
    }

    /// Removes sources that are unchanged since they were read, then syncs the source; returns (removed ids, changed ids).
    func removeSources(_ entries: [(id: Int64, file: ScannedFile)]) -> (removed: [Int64], changed: [Int64]) {
        var batch = SourceRemover.Batch(entries: entries)
        batch.verdicts = SourceRemover.remove(entries, root: settings.sourceDir)
        if batch.verdicts.contains(where: \.removedSource) {
            do {
                try POSIX.syncFileSystem(of: settings.sourceDir)
            } catch {
                batch.syncError = "\(error)"
            }
        }
        return outcome(of: batch)
    }

    /// Records the dispositions of the batches the remover has finished (without waiting for the others).
    func recordFinishedRemovals() throws {
        for batch in remover.takeFinished() {
            let (removed, changed) = outcome(of: batch)
            try recordDispositions(removed: removed, changed: changed)
        }
    }

    /// Waits for every removal queued this pass and records the dispositions.
    func finishRemovals() throws {
        for batch in remover.finish() {
            let (removed, changed) = outcome(of: batch)
            try recordDispositions(removed: removed, changed: changed)
        }
    }

    /// Logs what became of a removal batch's sources; returns (removed ids, changed ids).
    private func outcome(of batch: SourceRemover.Batch) -> (removed: [Int64], changed: [Int64]) {
        var removed: [Int64] = []
        var changed: [Int64] = []
        for ((id, file), verdict) in zip(batch.entries, batch.verdicts) {
            switch verdict {
            case .removed, .gone:
                removed.append(id)  // gone already: nothing left to remove
            case .changed:
                changed.append(id)
                logger.warning("source changed after it was stored; kept for the next pass", metadata: ["file.path": "\(file.relativePath)"])
            case .failed(let reason):
                changed.append(id)
                logger.error("source could not be removed; it stays", metadata: ["file.path": "\(file.relativePath)", "reason": "\(reason)"])
            }
        }
        if let reason = batch.syncError {
            logger.warning("could not sync the source folder after removals", metadata: ["reason": "\(reason)"])
        }
        return (removed, changed)
    }

    func syncDestination() throws {
        do {
            try POSIX.syncFileSystem(of: settings.destinationDir)
        } catch let error as SystemError {
            if error.isDiskFull { diskFull = true }
            throw PyBakError(.io, "\(error)")
        }
    }

    func row(_ plan: Plan, disposition: SourceDisposition) -> NewFile {
        let file = plan.processed.file
        return NewFile(
            policy: settings.policyName, runId: runId, sourcePath: file.relativePath, size: file.status.size,
            mtimeNanos: file.status.mtimeNanos, sha256: plan.processed.sha256, destinationPath: plan.destinationPath,
            storedSize: plan.kind == .stored ? plan.processed.storedSize : 0, kind: plan.kind, duplicateOf: plan.duplicateOf,
            sourceDevice: file.status.device, sourceInode: file.status.inode, disposition: disposition, keyId: plan.keyId,
            archiveMember: plan.archiveMember
        )
    }
}

/// What became of one rename into place.
private enum RenameOutcome {
    case placed
    /// Another process holds the name.
    case taken
    case failed(SystemError)
}
