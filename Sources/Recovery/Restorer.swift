import Archive
import Catalog
import Logging
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Restores catalogued files from a store into a folder: the original bytes (checked against
/// the catalog's SHA-256) under their original relative paths, with their original mtime.
/// Writes to a temporary name beside the target and renames, never over an existing file
/// unless asked.
public final class Restorer {
    private let catalog: any Catalog
    private let reader: StoredCopyReader
    private let logger: Logger
    private var sequence = 0

    /// A restorer.
    /// - Parameters:
    ///   - catalog: an open, migrated catalog.
    ///   - source: where the stored copies are.
    ///   - key: the key for encrypted copies, if given.
    ///   - logger: one line per file.
    public convenience init(catalog: any Catalog, source: any StoredObjectSource, key: EncryptionKey?, logger: Logger) throws {
        try self.init(catalog: catalog, locator: .localOnly(source, logger: logger), key: key, logger: logger)
    }

    /// A restorer reading the store(s) a locator chooses (`--from`).
    /// - Parameters:
    ///   - catalog: an open, migrated catalog.
    ///   - locator: finds each file's copy: destination folder, cloud object, or the cloud when the local copy is missing.
    ///   - key: the key for encrypted copies, if given.
    ///   - logger: one line per file, naming the store it came from.
    public init(catalog: any Catalog, locator: CopyLocator, key: EncryptionKey?, logger: Logger) throws {
        self.catalog = catalog
        self.reader = try StoredCopyReader(locator: locator, key: key)
        self.logger = logger
    }

    /// The rows a request selects: the newest version (at or before `at`) of each path.
    /// - Throws: `PyBakError.usage` when nothing matches, naming the selector.
    public func select(_ request: RestoreRequest) throws -> [FileRecord] {
        var query = FileQuery(policy: request.policy, until: request.at)
        switch request.selector {
        case .all: break
        case .path(let path): query.path = Self.clean(path)
        case .run(let id): query.runId = id
        case .prefix(let prefix): query.pathPrefix = Self.clean(prefix)
        }
        let rows = try catalog.files(matching: query)
        var newest: [String: FileRecord] = [:]
        for row in rows { newest["\(row.policy)\u{0}\(row.sourcePath)"] = row }  // ordered by id: the last wins
        let selected = newest.values.sorted { ($0.sourcePath, $0.policy) < ($1.sourcePath, $1.policy) }
        guard !selected.isEmpty else {
            let when = request.at.map { " catalogued at or before \($0)" } ?? ""
            throw PyBakError(.usage, "nothing in the catalog matches \(Self.describe(request.selector))\(when); `pybak ls` lists what is there")
        }
        return selected
    }

    /// Restores the selected rows; one item per row, failures included (the rest go on).
    /// Rows of one archive (zip, tar.gz) are restored in a single read of it.
    public func restore(_ rows: [FileRecord], into request: RestoreRequest) -> [RestoreItem] {
        var outcomes: [Int64: (error: RecoveryError?, from: String?)] = [:]
        let archived = Dictionary(grouping: rows.filter { $0.archiveMember != nil }, by: \.destinationPath)
        for (_, group) in archived.sorted(by: { $0.key < $1.key }) {
            let sink = ArchiveRestoreSink(request: request, restorer: self)
            let from = reader.readArchive(group, sink: sink)
            for (id, error) in sink.outcomes { outcomes[id] = (error, from) }
        }
        for row in rows where row.archiveMember == nil {
            do {
                let target = try RestoreTarget(row, request: request, sequence: nextSequence())
                do {
                    let from = try reader.read(row) { chunk in try target.write(chunk) }
                    try target.commit()
                    outcomes[row.id] = (nil, from)
                } catch {
                    target.discard()
                    throw error
                }
            } catch {
                outcomes[row.id] = (ArchiveCopyReader.recoveryError(error), nil)
            }
        }
        return rows.map { row in
            var item = RestoreItem(path: row.sourcePath, storedPath: row.destinationPath, runId: row.runId, size: row.size)
            let outcome = outcomes[row.id] ?? (RecoveryError(.io, "\(row.destinationPath) was not read"), nil)
            if let error = outcome.error {
                item.error = error.message
                item.errorKind = error.kind
                logger.error("file not restored", metadata: ["file.path": "\(row.sourcePath)", "reason": "\(error.message)"])
            } else {
                item.from = outcome.from
                logger.info("file restored", metadata: [
                    "file.path": "\(row.sourcePath)", "file.stored": "\(row.destinationPath)", "file.member": "\(row.archiveMember ?? "")",
                    "file.from": "\(outcome.from ?? "")", "bytes": "\(row.size)",
                ])
            }
            return item
        }
    }

    func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    static func clean(_ path: String) -> String {
        var result = path
        while result.hasPrefix("./") { result.removeFirst(2) }
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result == "." ? "" : result
    }

    static func describe(_ selector: RestoreRequest.Selector) -> String {
        switch selector {
        case .all: return "anything"
        case .path(let path): return "--path \(path)"
        case .run(let id): return "--run \(id)"
        case .prefix(let prefix): return "--prefix \(prefix)"
        }
    }
}
