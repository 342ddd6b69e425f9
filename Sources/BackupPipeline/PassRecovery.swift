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
        var missing: [Int64] = []
        for file in try catalog.pendingFiles(policy: settings.policyName) where settings.shard.owns(file.sourcePath) {
            if (try? POSIX.lstat("\(settings.destinationDir)/\(file.destinationPath)")) != nil {
                complete.append(file.id)
            } else {
                missing.append(file.id)
            }
        }
        try catalog.markStored(ids: complete)
        try catalog.dropPending(ids: missing)
        summary.pendingCompleted = complete.count
        summary.pendingDropped = missing.count

        // Stored rows whose sources were to be removed: remove them if they are unchanged.
        let awaiting = try catalog.filesAwaitingRemoval(policy: settings.policyName).filter { settings.shard.owns($0.sourcePath) }
        if !awaiting.isEmpty {
            let entries = awaiting.map { record in
                (
                    id: record.id,
                    file: ScannedFile(
                        relativePath: record.sourcePath,
                        status: FileStatus(device: record.sourceDevice, inode: record.sourceInode, size: record.size, mtimeNanos: record.mtimeNanos)
                    )
                )
            }
            let (removed, changed) = committer.removeSources(entries)
            try catalog.setDisposition(.removed, ids: removed)
            try catalog.setDisposition(.changed, ids: changed)
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
