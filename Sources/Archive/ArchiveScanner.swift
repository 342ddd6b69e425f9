/// Receives the members of an archive as a scanner reads it front to back.
public protocol ArchiveMemberVisitor: AnyObject {
    /// A member starts. Return false to skip its bytes (no `memberData`, no `memberEnds`).
    func memberStarts(_ name: String, size: Int64) throws -> Bool
    /// The next original bytes of the member.
    func memberData(_ chunk: UnsafeRawBufferPointer) throws
    /// The member ended: the length and SHA-256 of what it held, and what the archive's own checks
    /// found wrong with it (CRC-32, length, deflate data), nil when nothing.
    func memberEnds(_ name: String, length: Int64, sha256: [UInt8], problem: String?) throws
}

/// Reads one archive pushed to it in chunks (already decrypted), handing members to a visitor.
/// Fixed memory: no member is held whole.
public protocol ArchiveScanner: AnyObject {
    /// The next bytes of the archive.
    /// - Throws: `ArchiveError` when the archive is malformed; errors of the visitor pass through.
    func feed(_ chunk: UnsafeRawBufferPointer) throws
    /// The archive ended.
    /// - Throws: `ArchiveError` when it ended early.
    func finish() throws
}

/// The state every scanner keeps about the member being read.
final class MemberTracker {
    let visitor: any ArchiveMemberVisitor
    private let hasher = SHA256Hasher()
    private(set) var name = ""
    private(set) var wanted = false
    private(set) var length: Int64 = 0
    private(set) var crc: UInt32 = 0

    init(visitor: any ArchiveMemberVisitor) { self.visitor = visitor }

    func start(_ name: String, size: Int64) throws {
        self.name = name
        length = 0
        crc = 0
        hasher.reset()
        wanted = try visitor.memberStarts(name, size: size)
    }

    func data(_ chunk: UnsafeRawBufferPointer) throws {
        guard wanted, chunk.count > 0 else { return }
        length += Int64(chunk.count)
        crc = CRC32.update(crc, chunk)
        hasher.update(chunk)
        try visitor.memberData(chunk)
    }

    func end(problem: String?) throws {
        let digest = hasher.finish()
        guard wanted else { return }
        wanted = false
        try visitor.memberEnds(name, length: length, sha256: digest, problem: problem)
    }
}

/// Collects a header of known length from chunks.
struct HeaderCollector {
    private(set) var bytes: [UInt8] = []
    var need = 0

    /// Takes what it still needs from `chunk` at `offset`; true when the header is complete.
    mutating func take(_ chunk: UnsafeRawBufferPointer, offset: inout Int) -> Bool {
        let take = min(need - bytes.count, chunk.count - offset)
        if take > 0 {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[offset..<(offset + take)]))
            offset += take
        }
        return bytes.count == need
    }

    mutating func expect(_ count: Int) {
        bytes.removeAll(keepingCapacity: true)
        need = count
    }
}
