import Catalog
import Logging
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Finishes what an interrupted pass left, before a new pass starts (under the lock).
enum PassRecovery {
    struct Summary: Equatable {
        var temporaryFilesRemoved = 0
        var pendingCompleted = 0
        var pendingDropped = 0
        var sourcesRemoved = 0
        var abandonedRuns = 0
    }

    static func run(settings: PassSettings, catalog: any Catalog, committer: BatchCommitter, logger: Logger, abandonedRuns: Int) throws -> Summary {
        var summary = Summary()
        summary.abandonedRuns = abandonedRuns

        // Temporary copies of files whose rows were never written: their sources are still in place.
        let temporary = "\(settings.destinationDir)/\(PassSettings.stateFolderName)/\(settings.shard.temporaryFolderName)"
        if let dir = opendir(temporary) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.bindMemory(to: UInt8.self).prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                if (try? POSIX.unlink("\(temporary)/\(name)")) != nil { summary.temporaryFilesRemoved += 1 }
            }
            closedir(dir)
        }

        // Rows recorded as pending: the copy either reached its name (complete) or did not.
        var complete: [Int64] = []
        var completeCopies: [(id: Int64, destinationPath: String)] = []
        var missing: [Int64] = []
        for file in try catalog.pendingFiles(policy: settings.policyName) where settings.shard.owns(file.sourcePath) {
            if (try? POSIX.lstat("\(settings.destinationDir)/\(file.destinationPath)")) != nil {
                complete.append(file.id)
                if file.kind == .stored { completeCopies.append((id: file.id, destinationPath: file.destinationPath)) }
            } else {
                missing.append(file.id)
            }
        }
        // The interrupted commit may not have queued their uploads yet (queueing is idempotent).
        try committer.queueUploads?(completeCopies)
        try catalog.markStored(ids: complete)
        try catalog.dropPending(ids: missing)
        summary.pendingCompleted = complete.count
        summary.pendingDropped = missing.count

        // Stored rows whose sources were to be removed: remove them if they are unchanged.
        let awaiting = try catalog.filesAwaitingRemoval(policy: settings.policyName).filter { settings.shard.owns($0.sourcePath) }
        if !awaiting.isEmpty {
            let entries = awaiting.map { (id: $0.id, file: $0.scannedFile) }
            let (removed, changed) = committer.removeSources(entries)
            try committer.recordDispositions(removed: removed, changed: changed)
            summary.sourcesRemoved = removed.count
        }
        if summary != Summary() {
            logger.notice("finished the work of an interrupted pass", metadata: [
                "recovery.temporaryRemoved": "\(summary.temporaryFilesRemoved)",
                "recovery.pendingCompleted": "\(summary.pendingCompleted)",
                "recovery.pendingDropped": "\(summary.pendingDropped)",
                "recovery.sourcesRemoved": "\(summary.sourcesRemoved)",
                "recovery.abandonedRuns": "\(summary.abandonedRuns)",
            ])
        }
        return summary
    }
}

extension FileRecord {
    /// The source file as it was when this row was recorded (for the unchanged-before-removal check).
    var scannedFile: ScannedFile {
        ScannedFile(relativePath: sourcePath, status: FileStatus(device: sourceDevice, inode: sourceInode, size: size, mtimeNanos: mtimeNanos))
    }
}
