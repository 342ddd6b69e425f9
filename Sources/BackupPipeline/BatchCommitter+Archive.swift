import Archive
import Catalog
import PyBakCore

/// The pass's archive while it is being built: the members in it and the duplicates found so far.
struct ArchiveState {
    /// Created with the first member.
    var assembler: ArchiveAssembler?
    /// The key the archive is encrypted with (set by the pass).
    var key: EncryptionKey?
    /// Members in the archive, in order (their rows are written at the end).
    var stored: [BatchCommitter.Plan] = []
    /// Files whose content is already stored (in the catalog, or earlier in this archive).
    var duplicates: [BatchCommitter.Plan] = []
    /// SHA-256 -> index in `stored`.
    var index: [String: Int] = [:]
}

/// zip and tar.gz: one archive per pass. Batches only add members to the archive (or note duplicates);
/// nothing is recorded and no source is touched until `finishArchive`, which commits the whole archive in
/// the same order as single copies: fsync, verify, pending rows, rename without replacing, sync, rows
/// stored, then each unchanged source removed.
extension BatchCommitter {
    /// Adds a batch of verified members to the archive; duplicates are noted, not added.
    func collectIntoArchive(_ ready: [ProcessedFile]) throws {
        let known = try catalog.storedCopies(policy: settings.policyName, sha256s: ready.map(\.sha256))
        for processed in ready {
            defer { try? POSIX.unlink(processed.temporaryPath) }
            let member = processed.file.relativePath
            if let first = archive.index[processed.sha256] {
                var plan = Plan(processed: processed, kind: .duplicate, destinationPath: "", duplicateOf: nil, keyId: keyId)
                plan.id = -Int64(first) - 1  // resolved once the members' rows have ids
                archive.duplicates.append(plan)
            } else if let existing = known[processed.sha256] {
                archive.duplicates.append(
                    Plan(
                        processed: processed, kind: .duplicate, destinationPath: existing.destinationPath, duplicateOf: existing.id,
                        keyId: existing.keyId, archiveMember: existing.archiveMember))
            } else {
                do {
                    if archive.assembler == nil {
                        let temporary = "\(settings.destinationDir)/\(PassSettings.stateFolderName)/\(settings.shard.temporaryFolderName)/\(runId)-archive"
                        archive.assembler = try ArchiveAssembler(format: settings.format, path: temporary, level: settings.level, encryptionKey: archive.key)
                    }
                    try archive.assembler?.append(processed, name: member)
                } catch let error as SystemError {
                    if error.isDiskFull { diskFull = true }
                    throw PyBakError(.io, "could not add \(member) to the pass's archive: \(error)")
                }
                archive.index[processed.sha256] = archive.stored.count
                archive.stored.append(Plan(processed: processed, kind: .stored, destinationPath: "", duplicateOf: nil, keyId: keyId, archiveMember: member))
            }
        }
    }

    /// Drops the archive in the making: the pass stopped; every source stays for the next pass.
    func abandonArchive() {
        archive.assembler?.abandon()
        let waiting = archive.stored.count + archive.duplicates.count
        if waiting > 0 {
            logger.error("archive abandoned; its files stay in the source", metadata: ["files.waiting": "\(waiting)"])
        }
        archive = ArchiveState(key: archive.key)
    }

    /// Finishes, verifies and commits the pass's archive, then the rows of its members and duplicates.
    /// - Throws: catalog and I/O errors (the archive is then abandoned and every source stays).
    func finishArchive() throws {
        defer { archive = ArchiveState(key: archive.key) }
        var stored = archive.stored
        var duplicates = archive.duplicates
        guard !stored.isEmpty || !duplicates.isEmpty else { return }
        let destination = settings.destinationDir
        if let assembler = archive.assembler {
            do {
                _ = try assembler.finish()
                try assembler.verify(expected: Dictionary(uniqueKeysWithValues: stored.map {
                    ($0.archiveMember ?? "", (size: $0.processed.file.status.size, sha256: $0.processed.sha256))
                }))
            } catch {
                assembler.abandon()
                if let error = error as? SystemError, error.isDiskFull { diskFull = true }
                for plan in stored + duplicates { note(plan.processed.file.relativePath, outcome: .failed, reason: "\(error)") }
                logger.error("archive failed; its files stay in the source", metadata: ["reason": "\(error)", "archive.temporary": "\(assembler.path)"])
                return
            }
            var attempt = 0
            var name = OutputNaming.archiveName(format: settings.format, stamp: stamp, encrypted: keyId != nil)
            while (try? POSIX.lstat("\(destination)/\(name)")) != nil {
                attempt += 1
                name = OutputNaming.archiveName(format: settings.format, stamp: stamp, attempt: attempt, encrypted: keyId != nil)
            }
            for index in stored.indices { stored[index].destinationPath = name }
        }

        // Intent first: pending rows, so a crash after the rename is finished, not repeated.
        let disposition: SourceDisposition = settings.keepSource ? .kept : .remove
        let storedIds = try catalog.recordPending(stored.map { row($0, disposition: disposition) })
        for index in stored.indices { stored[index].id = storedIds[index] }
        for index in duplicates.indices where duplicates[index].duplicateOf == nil {
            let first = stored[Int(-duplicates[index].id - 1)]
            duplicates[index].duplicateOf = first.id
            duplicates[index].destinationPath = first.destinationPath
            duplicates[index].archiveMember = first.archiveMember
        }
        let duplicateIds = try catalog.recordPending(duplicates.map { row($0, disposition: disposition) })
        for index in duplicates.indices { duplicates[index].id = duplicateIds[index] }

        if let assembler = archive.assembler, let first = stored.first {
            let target = "\(destination)/\(first.destinationPath)"
            let placed: Bool
            do {
                placed = try POSIX.renameNoReplace(assembler.path, target)
            } catch let error as SystemError {
                if error.isDiskFull { diskFull = true }
                placed = false
                logger.error("archive could not be renamed into place", metadata: ["file.stored": "\(first.destinationPath)", "reason": "\(error)"])
            }
            guard placed else {
                assembler.abandon()
                // Duplicates of members of this archive wait with them; duplicates of older copies still commit.
                let members = Set(storedIds)
                let waiting = duplicates.filter { members.contains($0.duplicateOf ?? 0) }
                let independent = duplicates.filter { !members.contains($0.duplicateOf ?? 0) }
                try catalog.dropPending(ids: storedIds + waiting.map(\.id))
                for plan in stored + waiting {
                    note(plan.processed.file.relativePath, outcome: .skipped, reason: "the pass's archive \(first.destinationPath) could not be placed; it waits for the next pass")
                }
                try catalog.markStored(ids: independent.map(\.id))
                return try release(independent, keptDuplicates: independent)
            }
            try syncDestination()
            logger.info("archive stored", metadata: [
                "file.stored": "\(first.destinationPath)", "archive.members": "\(stored.count)", "archive.format": "\(settings.format.rawValue)",
            ])
        }
        // Cloud: every member's upload row (the archive's one object), before the rows are marked stored.
        try queueUploads?(stored.map { (id: $0.id, destinationPath: $0.destinationPath) })
        try catalog.markStored(ids: (stored + duplicates).map(\.id))
        try release(stored + duplicates, keptDuplicates: duplicates)
    }
}
