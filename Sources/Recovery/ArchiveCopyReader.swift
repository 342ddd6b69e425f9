import Archive
import Catalog
import PyBakCore

/// Receives the members of one archive that catalog rows ask for, as the archive is read.
protocol ArchiveRowSink: AnyObject {
    /// The row's member starts.
    func begin(_ row: FileRecord) throws
    /// The next original bytes of the row's member.
    func data(_ row: FileRecord, _ chunk: UnsafeRawBufferPointer) throws
    /// The row is done: `error` is nil when its bytes matched the catalog (length and SHA-256).
    func end(_ row: FileRecord, error: RecoveryError?)
}

/// Reads the members of one archive (zip or tar.gz, maybe encrypted) for a set of rows in a single
/// sequential pass over the store's reader, so it works the same from a local folder or an object store.
final class ArchiveCopyReader: ArchiveMemberVisitor {
    private var byMember: [String: [FileRecord]]
    private var active: [FileRecord] = []
    private let sink: any ArchiveRowSink
    /// The archive's name in messages: its path in the destination, or the object (`s3://bucket/key`) once opened there.
    var path: String

    init(path: String, rows: [FileRecord], sink: any ArchiveRowSink) {
        self.path = path
        self.sink = sink
        byMember = Dictionary(grouping: rows, by: { $0.archiveMember ?? "" })
    }

    /// The scanner for the archive's format, from its name.
    static func scanner(for path: String, visitor: any ArchiveMemberVisitor) throws -> any ArchiveScanner {
        let plain = path.hasSuffix(".enc") ? String(path.dropLast(4)) : path
        if plain.hasSuffix(".zip") { return try ZipScanner(visitor: visitor) }
        if plain.hasSuffix(".tar.gz") { return try TarGzScanner(visitor: visitor) }
        throw RecoveryError(.corrupt, "\(path) is catalogued as an archive but is neither a .zip nor a .tar.gz; it cannot be read")
    }

    /// Rows still waiting for their member.
    var unfinished: [FileRecord] { byMember.values.flatMap { $0 } + active }

    /// Ends every row still waiting with `error`.
    func failRemaining(_ error: RecoveryError) {
        for row in unfinished { sink.end(row, error: error) }
        byMember = [:]
        active = []
    }

    func memberStarts(_ name: String, size: Int64) throws -> Bool {
        active = []
        for row in byMember.removeValue(forKey: name) ?? [] {
            do {
                try sink.begin(row)
                active.append(row)
            } catch {
                sink.end(row, error: Self.recoveryError(error))
            }
        }
        return !active.isEmpty
    }

    func memberData(_ chunk: UnsafeRawBufferPointer) throws {
        active = active.filter { row in
            do {
                try sink.data(row, chunk)
                return true
            } catch {
                sink.end(row, error: Self.recoveryError(error))
                return false
            }
        }
    }

    func memberEnds(_ name: String, length: Int64, sha256: [UInt8], problem: String?) throws {
        let digest = Hex.encode(sha256)
        for row in active {
            if let problem {
                sink.end(row, error: RecoveryError(.corrupt, "\(path) is corrupt: its member \(name): \(problem)"))
            } else if length != row.size || digest != row.sha256 {
                sink.end(
                    row,
                    error: RecoveryError(
                        .corrupt,
                        "\(path) is corrupt: its member \(name) holds \(length) bytes with SHA-256 \(digest), but the catalog recorded \(row.size) bytes with \(row.sha256)"
                    ))
            } else {
                sink.end(row, error: nil)
            }
        }
        active = []
    }

    static func recoveryError(_ error: any Error) -> RecoveryError {
        (error as? RecoveryError) ?? RecoveryError(.io, "\(error)")
    }
}
