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

    /// A verifier.
    public init(catalog: any Catalog, source: any StoredObjectSource, key: EncryptionKey?, logger: Logger) throws {
        self.catalog = catalog
        self.reader = try StoredCopyReader(source: source, key: key)
        self.logger = logger
    }

    /// The copies to check: every stored copy (duplicates share them), or `percent` of them at random
    /// (at least one when there are any).
    public func select(policy: String?, percent: Double) throws -> [FileRecord] {
        let rows = try catalog.files(matching: FileQuery(policy: policy, copiesOnly: true))
        guard percent < 100 else { return rows }
        let count = min(rows.count, max(rows.isEmpty || percent <= 0 ? 0 : 1, Int((Double(rows.count) * percent / 100).rounded(.up))))
        return Array(rows.shuffled().prefix(count)).sorted { $0.id < $1.id }
    }

    /// Reads each copy and records the outcome; a copy that needs a missing or different key is
    /// reported but not marked corrupt.
    /// - Returns: one entry per copy: nil for a good copy, else the error.
    public func verify(_ rows: [FileRecord]) throws -> [(file: FileRecord, error: RecoveryError?)] {
        var results: [(file: FileRecord, error: RecoveryError?)] = []
        // The members of one archive are checked in a single read of it.
        var archived: [Int64: RecoveryError?] = [:]
        for (_, group) in Dictionary(grouping: rows.filter { $0.archiveMember != nil }, by: \.destinationPath) {
            let outcomes = OutcomeSink()
            reader.readArchive(group, sink: outcomes)
            archived.merge(outcomes.outcomes) { $1 }
        }
        for row in rows {
            var failure: RecoveryError?
            if row.archiveMember != nil {
                failure = archived[row.id] ?? .some(RecoveryError(.io, "\(row.destinationPath) was not read"))
            } else {
                do {
                    try reader.read(row) { _ in }
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
                logger.info("copy verified", metadata: ["file.path": "\(row.sourcePath)", "file.stored": "\(row.destinationPath)"])
            }
            results.append((row, failure))
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
