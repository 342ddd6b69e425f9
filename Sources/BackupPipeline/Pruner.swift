#if canImport(Glibc)
import Glibc
#endif
import Catalog
import Logging
import PyBakCore

/// One catalogued version and whether `prune` keeps it.
public struct PruneDecision: Sendable, Equatable, Codable {
    /// The version.
    public var file: FileRecord
    /// Kept, or removed.
    public var keep: Bool
    /// Why: the retention rules that keep it (`last`, `within`, `daily`, `weekly`, `monthly`),
    /// `shared` (another kept version uses its copy), `source-exists` (the last copy of a source
    /// that is still there), or `expired`.
    public var reasons: [String]
}

/// Applies retention rules per source path with restic's `forget` semantics: rows outside every
/// rule are marked pruned and their copies deleted, except a copy another kept row still uses and
/// the last copy of content whose source file is still in the source folder.
public final class Pruner {
    private let destination: String
    private let sourceDir: String?
    private let catalog: any Catalog
    private let logger: Logger

    /// A pruner.
    /// - Parameters:
    ///   - destination: the destination folder (copies are deleted there).
    ///   - sourceDir: the source folder, when known, to keep the last copy of sources still present.
    ///   - catalog: an open, migrated catalog.
    public init(destination: String, sourceDir: String?, catalog: any Catalog, logger: Logger) {
        self.destination = destination
        self.sourceDir = sourceDir
        self.catalog = catalog
        self.logger = logger
    }

    /// Decides, for every version of every path, whether it is kept. Changes nothing.
    /// - Throws: `PyBakError.usage` when no rule is set; catalog errors.
    public func plan(_ rules: RetentionRules, policy: String?) throws -> [PruneDecision] {
        guard !rules.isEmpty else {
            throw PyBakError(.usage, "no retention rule: pass --keep-last, --keep-within, --keep-daily, --keep-weekly or --keep-monthly, or set spec.retention")
        }
        try rules.validate()
        let rows = try catalog.files(matching: FileQuery(policy: policy))
        var byPath: [String: [FileRecord]] = [:]
        for row in rows { byPath["\(row.policy)\u{0}\(row.sourcePath)", default: []].append(row) }
        var decisions: [Int64: PruneDecision] = [:]
        for versions in byPath.values {
            let kept = try rules.keep(versions.map { ($0.id, RetentionRules.epochSeconds($0.createdAt) ?? 0) })
            for version in versions {
                decisions[version.id] = PruneDecision(file: version, keep: kept[version.id] != nil, reasons: kept[version.id] ?? ["expired"])
            }
        }
        // A copy still used by a kept row stays, and so does its own row.
        let neededCopies = Set(decisions.values.filter(\.keep).map(\.file.destinationPath))
        // The last copy of content whose source is still there (same size and mtime) stays.
        let keptContent = Set(decisions.values.filter(\.keep).map(\.file.sha256))
        for (id, decision) in decisions where !decision.keep && decision.file.kind == .stored {
            if neededCopies.contains(decision.file.destinationPath) {
                decisions[id]?.keep = true
                decisions[id]?.reasons = ["shared"]
            } else if !keptContent.contains(decision.file.sha256), sourceUnchanged(decision.file) {
                decisions[id]?.keep = true
                decisions[id]?.reasons = ["source-exists"]
            }
        }
        // An archive (zip, tar.gz) goes only when every member is removed: a member kept above keeps the
        // whole archive, so the other members' rows stay too (reason `shared`).
        let keptArchives = Set(decisions.values.filter { $0.keep && $0.file.archiveMember != nil }.map(\.file.destinationPath))
        for (id, decision) in decisions where !decision.keep && keptArchives.contains(decision.file.destinationPath) {
            decisions[id]?.keep = true
            decisions[id]?.reasons = ["shared"]
        }
        return decisions.values.sorted { ($0.file.sourcePath, $0.file.id) < ($1.file.sourcePath, $1.file.id) }
    }

    /// Marks the removed versions pruned (one transaction), then deletes their copies and syncs.
    /// Holds the destination's lock, so no pass adds a duplicate of a copy being deleted.
    /// - Returns: (rows pruned, copies deleted, bytes freed).
    public func apply(_ decisions: [PruneDecision]) throws -> (rows: Int, copies: Int, bytes: Int64) {
        let lock = try DestinationLock(destination: destination)
        defer { withExtendedLifetime(lock) {} }
        let removed = decisions.filter { !$0.keep }
        try catalog.markPruned(ids: removed.map(\.file.id), at: WallClock.iso8601(WallClock.now()))
        var copies = 0
        var bytes: Int64 = 0
        var deleted: Set<String> = []
        for decision in removed where decision.file.kind == .stored {
            // The members of one archive share its file: it is deleted once.
            guard deleted.insert(decision.file.destinationPath).inserted else { continue }
            let path = "\(destination)/\(decision.file.destinationPath)"
            do {
                let size = decision.file.archiveMember == nil ? decision.file.storedSize : ((try? POSIX.lstat(path))?.size ?? 0)
                try POSIX.unlink(path)
                copies += 1
                bytes += size
                logger.info("copy pruned", metadata: ["file.path": "\(decision.file.sourcePath)", "file.stored": "\(decision.file.destinationPath)"])
            } catch let error as SystemError where error.code == ENOENT {
                logger.warning("pruned copy was already gone", metadata: ["file.stored": "\(decision.file.destinationPath)"])
            }
        }
        if copies > 0 { try POSIX.syncFileSystem(of: destination) }
        return (removed.count, copies, bytes)
    }

    private func sourceUnchanged(_ file: FileRecord) -> Bool {
        guard let sourceDir, let now = try? POSIX.lstat("\(sourceDir)/\(file.sourcePath)") else { return false }
        return now.size == file.size && now.mtimeNanos == file.mtimeNanos
    }
}
