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
    public func restore(_ rows: [FileRecord], into request: RestoreRequest) -> [RestoreItem] {
        rows.map { row in
            var item = RestoreItem(path: row.sourcePath, storedPath: row.destinationPath, runId: row.runId, size: row.size)
            do {
                let from = try restore(row, request: request)
                item.from = from
                logger.info("file restored", metadata: [
                    "file.path": "\(row.sourcePath)", "file.stored": "\(row.destinationPath)", "file.from": "\(from)", "bytes": "\(row.size)",
                ])
            } catch let error as RecoveryError {
                item.error = error.message
                item.errorKind = error.kind
                logger.error("file not restored", metadata: ["file.path": "\(row.sourcePath)", "reason": "\(error.message)"])
            } catch {
                item.error = "\(error)"
                item.errorKind = .io
                logger.error("file not restored", metadata: ["file.path": "\(row.sourcePath)", "reason": "\(error)"])
            }
            return item
        }
    }

    /// - Returns: where the copy was read (`local` or the object).
    private func restore(_ row: FileRecord, request: RestoreRequest) throws -> String {
        let relative = row.sourcePath
        guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw RecoveryError(.io, "the catalogued path \(relative) leaves the target folder; it is not restored")
        }
        let target = "\(request.target)/\(relative)"
        if !request.overwrite && RecoveryIO.exists(target) {
            throw RecoveryError(.exists, "\(target) exists; it was left alone (pass --overwrite to replace it)")
        }
        let (folder, name) = OutputNaming.split(target)
        let created = try RecoveryIO.makeDirectories(folder)
        sequence += 1
        let temporary = "\(folder)/.\(name).pybak-restore-\(getpid())-\(sequence)"
        let fd: Int32
        do {
            fd = try RecoveryIO.createExclusive(temporary)
        } catch {
            RecoveryIO.removeEmpty(created)
            throw error
        }
        var renamed = false
        defer {
            close(fd)
            if !renamed {
                unlink(temporary)
                RecoveryIO.removeEmpty(created)
            }
        }
        let from = try reader.read(row) { chunk in try RecoveryIO.writeAll(fd, chunk, path: temporary) }
        try RecoveryIO.finish(fd, mtimeNanos: row.mtimeNanos, path: temporary)
        do {
            try RecoveryIO.rename(temporary, to: target, replace: request.overwrite)
        } catch let error as RecoveryError where error.kind == .exists {
            throw RecoveryError(.exists, "\(target) appeared while it was restored; it was left alone (pass --overwrite to replace it)")
        }
        renamed = true
        return from
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
