import Catalog
import Logging
import PyBakCore
import Uploaders

/// Uploads stored copies after their batch is committed locally, and (cloud only) removes the local
/// copy and then the source once every upload of a file succeeded.
///
/// The order that never loses a file (see README, "Uploads"):
/// 1. the copy is durable in the destination and its row is `stored`; in the same commit, before the row is
///    marked stored, an `uploads` row is queued (and `files.local_copy = 'drop'` when no local copy is kept);
/// 2. the object is uploaded and verified (Content-MD5, payload SHA-256, ETag), then recorded `uploaded`;
/// 3. cloud only: the local copy is unlinked, the destination synced, the row marked `removed`;
/// 4. the source is removed, if unchanged, by the same check as a local pass.
/// A crash between any two steps repeats the later steps on the next pass; a failed upload stays pending.
/// An archive (zip, tar.gz) is one object for all its members: each member has its own `uploads` row with the
/// archive's key, the rows are recorded together, and the archive's local copy goes only once all are uploaded.
final class CloudSync {
    private let settings: PassSettings
    private let ledger: any UploadLedger
    private let uploaders: [any ObjectUploader]
    private let committer: BatchCommitter
    private let logger: Logger
    /// Uploads tried in this pass (a failure is retried by the next pass, not the next batch).
    private var attempted: Set<Int64> = []
    /// Set after a retryable failure: the store is unreachable or struggling, the rest wait for the next pass.
    private var blocked: String?
    /// Objects uploaded in this pass.
    private(set) var uploadedCount = 0

    init(settings: PassSettings, ledger: any UploadLedger, uploaders: [any ObjectUploader], committer: BatchCommitter, logger: Logger) {
        self.settings = settings
        self.ledger = ledger
        self.uploaders = uploaders
        self.committer = committer
        self.logger = logger
    }

    /// Queues uploads of stored copies (before their rows are marked stored).
    func queue(_ files: [(id: Int64, destinationPath: String)]) throws {
        guard !files.isEmpty else { return }
        var intents: [UploadIntent] = []
        for uploader in uploaders {
            for file in files {
                intents.append(UploadIntent(fileId: file.id, target: uploader.target, bucket: uploader.bucket, key: uploader.key(forStoredPath: file.destinationPath)))
            }
        }
        try ledger.queueUploads(intents, dropLocalCopy: !settings.cloud.keepLocalCopy)
    }

    /// Uploads everything pending not yet tried in this pass, then finishes cloud-only files.
    /// The members of one archive (zip, tar.gz) share one object: it is uploaded once and recorded for each.
    /// - Throws: catalog errors (the pass stops).
    func run() throws {
        for uploader in uploaders {
            var objects: [String: [PendingUpload]] = [:]
            var order: [String] = []
            for item in try ledger.pendingUploads(policy: settings.policyName, target: uploader.target) where !attempted.contains(item.id) {
                attempted.insert(item.id)
                if objects[item.key] == nil { order.append(item.key) }
                objects[item.key, default: []].append(item)
            }
            for key in order { try upload(objects[key] ?? [], with: uploader) }
        }
        if !settings.cloud.keepLocalCopy { try dropLocalCopies() }
    }

    /// Uploads one object: a `.gz` copy (one row) or an archive (one row per member).
    private func upload(_ items: [PendingUpload], with uploader: any ObjectUploader) throws {
        guard let item = items.first else { return }
        let object = "\(uploader.target)://\(uploader.bucket)/\(item.key)"
        let isArchive = item.file.archiveMember != nil
        // What the pass's report names: the source file, or the archive and how many files wait on it.
        let subject = isArchive ? "\(item.file.destinationPath) (the pass archive of \(items.count) file(s))" : item.file.sourcePath
        if let blocked {
            committer.note(subject, outcome: .failed, reason: "not uploaded to \(object) this pass (\(blocked)); it is retried on the next pass")
            return
        }
        let local = "\(settings.destinationDir)/\(item.file.destinationPath)"
        let ids = items.map(\.id)
        do {
            let started = WallClock.monotonic()
            // A member's stored size is its own deflate size; the object is the whole archive.
            let size = isArchive ? try archiveSize(local) : item.file.storedSize
            let uploaded = try uploader.upload(file: local, size: size, key: item.key)
            let seconds = WallClock.monotonic() - started
            try ledger.recordUploaded(ids: ids, url: uploaded.url, etag: uploaded.etag, at: WallClock.iso8601(WallClock.now()))
            uploadedCount += items.count
            logger.info("file uploaded", metadata: [
                "file.path": "\(isArchive ? item.file.destinationPath : item.file.sourcePath)", "object.url": "\(uploaded.url)",
                "object.etag": "\(uploaded.etag)", "bytes.out": "\(size)", "upload.seconds": "\((seconds * 1000).rounded() / 1000)",
                "archive.members": "\(isArchive ? items.count : 0)",
            ])
        } catch let error as UploadError {
            try ledger.recordUploadFailure(ids: ids, error: error.description)
            committer.note(subject, outcome: .failed, reason: "upload to \(object) failed: \(error.message); the stored copy stays and the upload is retried on the next pass")
            if error.isRetryable { blocked = "\(uploader.target) unreachable or failing: \(error.message)" }
        }
    }

    /// The size of a placed archive, or an `UploadError` saying it is gone (the upload stays pending).
    private func archiveSize(_ path: String) throws -> Int64 {
        do {
            return try POSIX.lstat(path).size
        } catch {
            throw UploadError(path: path, "the archive cannot be read for upload: \(error); it stays pending")
        }
    }

    /// Cloud only: removes local copies whose uploads all succeeded, then their sources.
    private func dropLocalCopies() throws {
        let ready = try ledger.localCopiesReadyToDrop(policy: settings.policyName)
        guard !ready.isEmpty else { return }
        var dropped: [FileRecord] = []
        for file in ready {
            do {
                try POSIX.unlink("\(settings.destinationDir)/\(file.destinationPath)")
                dropped.append(file)
            } catch let error as SystemError where error.isNotFound {
                dropped.append(file)
            } catch {
                logger.error("uploaded copy could not be removed from the destination; it stays", metadata: [
                    "file.stored": "\(file.destinationPath)", "reason": "\(error)",
                ])
            }
        }
        do {
            try POSIX.syncFileSystem(of: settings.destinationDir)
        } catch {
            logger.warning("could not sync the destination after removing uploaded copies", metadata: ["reason": "\(error)"])
        }
        try ledger.setLocalCopy(.removed, ids: dropped.map(\.id))
        let entries = dropped.filter { $0.disposition == .remove }.map { (id: $0.id, file: $0.scannedFile) }
        let (removed, changed) = committer.removeSources(entries)
        try committer.recordDispositions(removed: removed, changed: changed)
    }
}
