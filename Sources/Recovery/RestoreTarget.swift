import Catalog
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// One file being restored: written to a temporary name beside its target, then given its mtime,
/// fsynced and renamed (never over an existing file unless `--overwrite`).
final class RestoreTarget {
    private let fd: Int32
    private let temporary: String
    private let target: String
    private let row: FileRecord
    private let overwrite: Bool
    /// Folders created for it, removed again when it is not restored.
    private let created: [String]
    private var done = false

    /// Checks the row's path and the target, and creates the temporary file.
    /// - Throws: `RecoveryError` (`.exists` when the target is there and `overwrite` is off).
    init(_ row: FileRecord, request: RestoreRequest, sequence: Int) throws {
        let relative = row.sourcePath
        guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw RecoveryError(.io, "the catalogued path \(relative) leaves the target folder; it is not restored")
        }
        target = "\(request.target)/\(relative)"
        if !request.overwrite && RecoveryIO.exists(target) {
            throw RecoveryError(.exists, "\(target) exists; it was left alone (pass --overwrite to replace it)")
        }
        let (folder, name) = OutputNaming.split(target)
        created = try RecoveryIO.makeDirectories(folder)
        temporary = "\(folder)/.\(name).pybak-restore-\(getpid())-\(sequence)"
        do {
            fd = try RecoveryIO.createExclusive(temporary)
        } catch {
            RecoveryIO.removeEmpty(created)
            throw error
        }
        self.row = row
        overwrite = request.overwrite
    }

    deinit {
        close(fd)
        discard()
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws { try RecoveryIO.writeAll(fd, chunk, path: temporary) }

    /// Sets the mtime, fsyncs and renames into place.
    func commit() throws {
        try RecoveryIO.finish(fd, mtimeNanos: row.mtimeNanos, path: temporary)
        do {
            try RecoveryIO.rename(temporary, to: target, replace: overwrite)
        } catch let error as RecoveryError where error.kind == .exists {
            throw RecoveryError(.exists, "\(target) appeared while it was restored; it was left alone (pass --overwrite to replace it)")
        }
        done = true
    }

    /// Removes the temporary file and the folders made for it.
    func discard() {
        guard !done else { return }
        unlink(temporary)
        RecoveryIO.removeEmpty(created)
        done = true
    }
}

/// Restores the members of one archive as the archive is read.
final class ArchiveRestoreSink: ArchiveRowSink {
    private let request: RestoreRequest
    private unowned let restorer: Restorer
    private var targets: [Int64: RestoreTarget] = [:]
    /// Row id -> nil when restored, else why not.
    private(set) var outcomes: [Int64: RecoveryError?] = [:]

    init(request: RestoreRequest, restorer: Restorer) {
        self.request = request
        self.restorer = restorer
    }

    func begin(_ row: FileRecord) throws {
        targets[row.id] = try RestoreTarget(row, request: request, sequence: restorer.nextSequence())
    }

    func data(_ row: FileRecord, _ chunk: UnsafeRawBufferPointer) throws { try targets[row.id]?.write(chunk) }

    func end(_ row: FileRecord, error: RecoveryError?) {
        var failure = error
        if let target = targets.removeValue(forKey: row.id) {
            if failure == nil {
                do { try target.commit() } catch { failure = ArchiveCopyReader.recoveryError(error) }
            }
            if failure != nil { target.discard() }
        }
        outcomes[row.id] = .some(failure)
    }
}
