import Catalog
import Logging
import PyBakCore

/// Finds the stored copy of a catalogued file in the store `--from` asks for: the destination folder, the
/// object the upload ledger recorded (bucket and key as uploaded, never recomputed), the local copy with
/// the recorded cloud object as the fallback when the local one is missing, or (verify's default) wherever
/// the catalog says the copy is kept.
public final class CopyLocator {
    /// A stored copy opened for reading, and where it came from.
    public struct Opened {
        /// The copy's bytes.
        public var reader: any StoredObjectReader
        /// `local` or the target (`s3`, `gcs`).
        public var store: String
        /// The copy's name in messages: its path in the destination, or `s3://bucket/key`.
        public var name: String
    }

    /// Which store is read.
    public let choice: CopySource
    private let local: any StoredObjectSource
    private let uploads: (Int64) throws -> [UploadRecord]
    private let localCopy: (Int64) throws -> LocalCopyState?
    private let cloud: CloudSourceProvider
    private let logger: Logger
    private var opened: [String: Result<any StoredObjectSource, RecoveryError>] = [:]

    /// A locator.
    /// - Parameters:
    ///   - choice: the `--from` store.
    ///   - local: the destination folder's copies.
    ///   - uploads: the upload ledger's rows of a stored copy (by file id).
    ///   - cloud: opens a target's bucket; called at most once per target and bucket.
    ///   - localCopy: whether a stored copy is still in the destination (`files.local_copy`, by file id); read by `.recorded`.
    ///   - logger: notes each fallback to a cloud copy.
    public init(
        choice: CopySource, local: any StoredObjectSource, uploads: @escaping (Int64) throws -> [UploadRecord], cloud: @escaping CloudSourceProvider,
        localCopy: @escaping (Int64) throws -> LocalCopyState? = { _ in nil }, logger: Logger
    ) {
        self.choice = choice
        self.local = local
        self.uploads = uploads
        self.localCopy = localCopy
        self.cloud = cloud
        self.logger = logger
    }

    /// A locator over the destination folder alone.
    public static func localOnly(_ source: any StoredObjectSource, logger: Logger) -> CopyLocator {
        CopyLocator(
            choice: .local, local: source, uploads: { _ in [] },
            cloud: { target, _ in throw PyBakError(.usage, "this command reads only the destination, not \(target)") }, logger: logger)
    }

    /// Whether the chosen store is expected to hold the file's copy: always for the destination, and for a
    /// cloud target when the ledger has an upload row (pending or done) for it.
    public func isExpected(_ file: FileRecord) throws -> Bool {
        guard case .cloud(let target) = choice else { return true }
        return try ledger(file).contains { $0.target == target }
    }

    /// Opens the copy of `file`.
    /// - Throws: `RecoveryError` (`.missing` naming the store and path or bucket and key, `.io` for a store that cannot be read).
    public func open(_ file: FileRecord) throws -> Opened {
        switch choice {
        case .local:
            return try openLocal(file)
        case .cloud(let target):
            return try openCloud(file, target: target, records: ledger(file))
        case .automatic:
            do {
                return try openLocal(file)
            } catch let error as RecoveryError where error.kind == .missing {
                let opened = try openUploaded(file, why: error.message)
                logger.notice("local copy missing; reading the cloud copy", metadata: [
                    "file.path": "\(file.sourcePath)", "file.stored": "\(file.destinationPath)", "file.from": "\(opened.name)",
                ])
                return opened
            }
        case .recorded:
            let state: LocalCopyState?
            do {
                state = try localCopy(file.duplicateOf ?? file.id)
            } catch {
                throw RecoveryError(.io, "cannot read where the copy of \(file.sourcePath) is kept from the catalog: \(error)")
            }
            guard state == .removed else { return try openLocal(file) }
            return try openUploaded(file, why: "the local copy \(file.destinationPath) was removed after its upload (--no-keep-local-copy)")
        }
    }

    /// Opens the first uploaded cloud copy of `file` that can be read; `why` says why the local one is not read.
    private func openUploaded(_ file: FileRecord, why: String) throws -> Opened {
        let uploaded = try ledger(file).filter { $0.state == "uploaded" }
        guard !uploaded.isEmpty else {
            throw RecoveryError(.missing, "\(why), and the catalog records no uploaded cloud copy of it")
        }
        var failures: [String] = []
        for record in uploaded {
            do {
                return try openCloud(file, target: record.target, records: [record])
            } catch let failure as RecoveryError {
                failures.append(failure.message)
            }
        }
        throw RecoveryError(.missing, "\(why); the cloud copy could not be read either: \(failures.joined(separator: "; "))")
    }

    private func ledger(_ file: FileRecord) throws -> [UploadRecord] {
        do {
            return try uploads(file.duplicateOf ?? file.id)
        } catch {
            throw RecoveryError(.io, "cannot read the upload ledger of \(file.sourcePath) from the catalog: \(error)")
        }
    }

    private func openLocal(_ file: FileRecord) throws -> Opened {
        do {
            return Opened(reader: try local.open(file.destinationPath), store: "local", name: file.destinationPath)
        } catch let error as StoredObjectError {
            if case .missing = error { throw RecoveryError(.missing, error.description) }
            throw RecoveryError(.io, error.description)
        }
    }

    private func openCloud(_ file: FileRecord, target: String, records: [UploadRecord]) throws -> Opened {
        guard let record = records.first(where: { $0.target == target }) else {
            throw RecoveryError(.missing, "the catalog records no \(target) upload of \(file.destinationPath) (\(file.sourcePath)); it was never sent to \(target)")
        }
        let name = "\(target == "gcs" ? "gs" : target)://\(record.bucket)/\(record.key)"
        guard record.state == "uploaded" else {
            let why = record.lastError.map { " (\(record.attempts) failed attempts; last: \($0))" } ?? ""
            throw RecoveryError(.missing, "\(name) is not uploaded yet: the catalog records its upload as \(record.state)\(why)")
        }
        let source = try store(target: target, bucket: record.bucket)
        do {
            return Opened(reader: try source.open(record.key), store: target, name: "\(source.location)/\(record.key)")
        } catch let error as StoredObjectError {
            if case .missing = error { throw RecoveryError(.missing, error.description) }
            throw RecoveryError(.io, error.description)
        }
    }

    private func store(target: String, bucket: String) throws -> any StoredObjectSource {
        let id = "\(target)\u{0}\(bucket)"
        if opened[id] == nil {
            do {
                opened[id] = .success(try cloud(target, bucket))
            } catch let error as RecoveryError {
                opened[id] = .failure(error)
            } catch {
                opened[id] = .failure(RecoveryError(.io, "cannot read from \(target) bucket \(bucket): \(error)"))
            }
        }
        return try opened[id]!.get()
    }
}
