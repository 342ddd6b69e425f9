import Archive
import Catalog
import Logging
import PyBakCore

/// Re-reads stored copies (all or a random sample), checks gzip integrity, decryption and the
/// SHA-256 against the catalog, and records when each copy was verified and what was wrong.
/// restic's `check --read-data` / kopia's `verify --verify-files-percent`, for PyBak's format.
public final class Verifier {
    private let catalog: any Catalog
    private let reader: StoredCopyReader
    private let logger: Logger

    /// A verifier of the destination folder's copies.
    public convenience init(catalog: any Catalog, source: any StoredObjectSource, key: EncryptionKey?, logger: Logger) throws {
        try self.init(catalog: catalog, locator: .localOnly(source, logger: logger), key: key, logger: logger)
    }

    /// A verifier of the copies in the store a locator reads (`--from local|s3|gcs`).
    public init(catalog: any Catalog, locator: CopyLocator, key: EncryptionKey?, logger: Logger) throws {
        self.catalog = catalog
        self.reader = try StoredCopyReader(locator: locator, key: key)
        self.logger = logger
    }

    /// The copies to check: every stored copy (duplicates share them), or `percent` of them at random
    /// (at least one when there are any).
    public func select(policy: String?, percent: Double) throws -> [FileRecord] {
        try sample(try catalog.files(matching: FileQuery(policy: policy, copiesOnly: true)), percent: percent)
    }

    /// `percent` of `rows` at random (at least one when there are any), in id order.
    public func sample(_ rows: [FileRecord], percent: Double) throws -> [FileRecord] {
        guard percent < 100 else { return rows }
        let count = min(rows.count, max(rows.isEmpty || percent <= 0 ? 0 : 1, Int((Double(rows.count) * percent / 100).rounded(.up))))
        return Array(rows.shuffled().prefix(count)).sorted { $0.id < $1.id }
    }

    /// Reads each copy and records the outcome; a copy that needs a missing or different key is
    /// reported but not marked corrupt.
    /// - Returns: one entry per copy: nil for a good copy, else the error; and where it was read (`local`, or the
    ///   object such as `s3://bucket/key`), nil when it could not be opened.
    public func verify(_ rows: [FileRecord]) throws -> [(file: FileRecord, error: RecoveryError?, from: String?)] {
        var results: [(file: FileRecord, error: RecoveryError?, from: String?)] = []
        // The members of one archive are checked in a single read of it.
        var archived: [Int64: (error: RecoveryError?, from: String?)] = [:]
        for (_, group) in Dictionary(grouping: rows.filter { $0.archiveMember != nil }, by: \.destinationPath) {
            let outcomes = OutcomeSink()
            let from = reader.readArchive(group, sink: outcomes)
            for (id, error) in outcomes.outcomes { archived[id] = (error, from) }
        }
        for row in rows {
            var failure: RecoveryError?
            var from: String?
            if row.archiveMember != nil {
                let outcome = archived[row.id] ?? (RecoveryError(.io, "\(row.destinationPath) was not read"), nil)
                failure = outcome.error
                from = outcome.from
            } else {
                do {
                    from = try reader.read(row) { _ in }
                } catch let error as RecoveryError {
                    failure = error
                }
            }
            let now = WallClock.iso8601(WallClock.now())
            if failure?.kind != .key {
                try catalog.recordVerification(ids: [row.id], at: now, error: failure.map { "\($0.kind.rawValue): \($0.message)" })
            }
            if let failure {
                logger.error("copy failed verification", metadata: [
                    "file.path": "\(row.sourcePath)", "file.stored": "\(row.destinationPath)", "verify.result": "\(failure.kind.rawValue)",
                    "reason": "\(failure.message)",
                ])
            } else {
                logger.info("copy verified", metadata: [
                    "file.path": "\(row.sourcePath)", "file.stored": "\(row.destinationPath)", "file.from": "\(from ?? row.destinationPath)",
                ])
            }
            results.append((row, failure, from))
        }
        return results
    }
}

/// Keeps what became of each archive member (verification reads, writes nothing).
private final class OutcomeSink: ArchiveRowSink {
    private(set) var outcomes: [Int64: RecoveryError?] = [:]

    func begin(_ row: FileRecord) throws {}

    func data(_ row: FileRecord, _ chunk: UnsafeRawBufferPointer) throws {}

    func end(_ row: FileRecord, error: RecoveryError?) { outcomes[row.id] = .some(error) }
}
