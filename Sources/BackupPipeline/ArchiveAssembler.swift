import Archive
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Builds a pass's one archive (zip or tar.gz) in a temporary file from the members the workers compressed:
/// each member's deflate data is copied in (decrypted from its temporary file when encryption is on) and
/// framed (zip local headers, central directory and end records; or a gzip header, the joined deflate data
/// of the tar members, the end-of-archive blocks and the gzip trailer). With a key, the whole archive is
/// one encrypted stream. `finish` fsyncs it and `verify` reads it back before anything names it.
final class ArchiveAssembler {
    let format: StorageFormat
    /// The temporary archive file.
    let path: String
    private let fd: Int32
    private let writer: BufferedWriter
    private let encryption: (key: EncryptionKey, encryptor: StreamingEncryptor)?
    private let memberDecryptor: StreamingDecryptor?
    private let buffer: UnsafeMutableRawBufferPointer
    private let layout: ZipLayout
    private let level: Int
    private var entries: [ZipEntry] = []
    /// Bytes of the plain archive so far (zip offsets; before encryption).
    private var offset: UInt64 = 0
    /// tar.gz: CRC-32 and length of the tar stream so far.
    private var tarCRC: UInt32 = 0
    private var tarLength: Int64 = 0
    private var finished = false

    /// Members appended so far.
    var memberCount: Int { format == .zip ? entries.count : members }
    private var members = 0

    init(format: StorageFormat, path: String, level: Int, encryptionKey: EncryptionKey?, layout: ZipLayout = ZipLayout()) throws {
        precondition(format.isArchive, "ArchiveAssembler builds zip and tar.gz archives")
        self.format = format
        self.path = path
        self.level = level
        self.layout = layout
        fd = try POSIX.createExclusive(path)
        writer = BufferedWriter(fd: fd, path: path)
        buffer = .allocate(byteCount: FileProcessor.bufferSize, alignment: 4096)
        encryption = try encryptionKey.map { ($0, try StreamingEncryptor()) }
        memberDecryptor = encryptionKey != nil ? try StreamingDecryptor() : nil
        if let encryption {
            try encryption.encryptor.begin(key: encryption.key) { try writer.write($0) }
        }
        if format == .tarGz {
            // gzip header: deflate, no flags, mtime 0, no extra flags, OS Unix.
            try emit([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])
        }
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Copies a worker's member into the archive.
    /// - Parameters:
    ///   - processed: the verified member (its temporary file holds the deflate data).
    ///   - name: the member name.
    func append(_ processed: ProcessedFile, name: String) throws {
        guard let member = processed.member else { preconditionFailure("an archive member without its payload") }
        if format == .zip {
            let entry = ZipEntry(
                name: name, crc32: member.crc32, compressedSize: UInt64(member.compressedSize), uncompressedSize: UInt64(processed.file.status.size),
                offset: offset, mtime: member.mtime)
            try emit(layout.localHeader(entry))
            entries.append(entry)
        } else {
            tarCRC = CRC32.combine(tarCRC, member.crc32, secondLength: member.length)
            tarLength += member.length
            members += 1
        }
        let copied = try copyDeflateData(processed.temporaryPath)
        guard copied == member.compressedSize else {
            throw VerificationError(path: processed.temporaryPath, detail: "the member holds \(copied) bytes of deflate data, \(member.compressedSize) were written")
        }
    }

    /// Writes the archive's end, fsyncs the file and returns its size.
    func finish() throws -> Int64 {
        if format == .zip {
            let directoryOffset = offset
            for entry in entries { try emit(layout.centralHeader(entry)) }
            try emit(layout.endRecords(entries: entries.count, directoryOffset: directoryOffset, directorySize: offset - directoryOffset))
        } else {
            let end = TarLayout.endOfArchive
            let deflater = try GzipDeflater(level: level, raw: true)
            var closing: [UInt8] = []
            try end.withUnsafeBytes { bytes in try deflater.compress(bytes, flush: .finish) { closing.append(contentsOf: $0) } }
            try emit(closing)
            tarCRC = end.withUnsafeBytes { CRC32.combine(tarCRC, CRC32.update(0, $0), secondLength: Int64(end.count)) }
            tarLength += Int64(end.count)
            var trailer: [UInt8] = []
            trailer.append(contentsOf: withUnsafeBytes(of: tarCRC.littleEndian) { Array($0) })
            trailer.append(contentsOf: withUnsafeBytes(of: UInt32(truncatingIfNeeded: tarLength).littleEndian) { Array($0) })
            try emit(trailer)
        }
        try encryption?.encryptor.finish { try writer.write($0) }
        try writer.flush()
        guard fsync(fd) == 0 else { throw SystemError("sync", path) }
        finished = true
        return writer.written
    }

    /// Reads the finished archive back from the file (decrypting it), and checks that it holds exactly the
    /// expected members with the expected lengths and SHA-256 digests, and that its own checks pass
    /// (zip: each member's CRC-32; tar.gz: the headers' checksums and the gzip CRC-32 and length).
    /// - Parameter expected: member name -> (length, SHA-256 hex).
    /// - Throws: `VerificationError` naming what is wrong.
    func verify(expected: [String: (size: Int64, sha256: String)]) throws {
        precondition(finished, "verify after finish")
        let check = MemberCheck(expected: expected)
        let scanner: any ArchiveScanner = format == .zip ? try ZipScanner(visitor: check) : try TarGzScanner(visitor: check)
        let decryptor = encryption != nil ? try StreamingDecryptor() : nil
        if let encryption, let decryptor { decryptor.begin(key: encryption.key) }
        var position: Int64 = 0
        do {
            while true {
                let n = try POSIX.read(fd, into: buffer, at: position, path: path)
                if n == 0 { break }
                position += Int64(n)
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                if let decryptor { try decryptor.feed(chunk) { try scanner.feed($0) } } else { try scanner.feed(chunk) }
            }
            try decryptor?.finish { try scanner.feed($0) }
            try scanner.finish()
        } catch let error as ArchiveError {
            throw VerificationError(path: path, detail: error.message)
        }
        if let problem = check.problems.first ?? check.missing.first.map({ "the member \($0) is missing" }) {
            throw VerificationError(path: path, detail: problem)
        }
    }

    /// Removes the temporary archive (the pass stopped before it could be committed).
    func abandon() {
        try? POSIX.unlink(path)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        offset += UInt64(bytes.count)
        if let encryption {
            try encryption.encryptor.update(bytes) { try writer.write($0) }
        } else {
            try writer.write(bytes)
        }
    }

    /// Copies the member's deflate data from its temporary file; returns the plain bytes copied.
    private func copyDeflateData(_ temporaryPath: String) throws -> Int64 {
        let input = try POSIX.openForReading(temporaryPath)
        defer { close(input) }
        var copied: Int64 = 0
        let sink: (UnsafeRawBufferPointer) throws -> Void = { chunk in
            copied += Int64(chunk.count)
            try self.emit(chunk)
        }
        if let encryption, let memberDecryptor { memberDecryptor.begin(key: encryption.key) }
        do {
            while true {
                let n = try POSIX.read(input, into: buffer, path: temporaryPath)
                if n == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                if let memberDecryptor { try memberDecryptor.feed(chunk, sink: sink) } else { try sink(chunk) }
            }
            try memberDecryptor?.finish(sink: sink)
        } catch let error as ArchiveError {
            throw VerificationError(path: temporaryPath, detail: error.message)
        }
        return copied
    }
}

/// Checks the members an archive holds against the members expected.
private final class MemberCheck: ArchiveMemberVisitor {
    private var expected: [String: (size: Int64, sha256: String)]
    private(set) var problems: [String] = []

    init(expected: [String: (size: Int64, sha256: String)]) { self.expected = expected }

    var missing: [String] { expected.keys.sorted() }

    func memberStarts(_ name: String, size: Int64) throws -> Bool {
        if expected[name] == nil { problems.append("it holds an unexpected member \(name)") }
        return true
    }

    func memberData(_ chunk: UnsafeRawBufferPointer) throws {}

    func memberEnds(_ name: String, length: Int64, sha256: [UInt8], problem: String?) throws {
        guard let want = expected.removeValue(forKey: name) else { return }
        if let problem {
            problems.append("the member \(name): \(problem)")
        } else if length != want.size || Hex.encode(sha256) != want.sha256 {
            problems.append("the member \(name) reads back as \(length) bytes with SHA-256 \(Hex.encode(sha256)), not \(want.size) bytes with \(want.sha256)")
        }
    }
}

/// Buffers writes to a file descriptor in one fixed buffer; reusable for the next file with `reset`.
final class BufferedWriter {
    private var fd: Int32
    private var path: String
    private let buffer: UnsafeMutableRawBufferPointer
    private var fill = 0
    /// Bytes handed to `write` so far.
    private(set) var written: Int64 = 0

    init(fd: Int32, path: String, capacity: Int = FileProcessor.bufferSize) {
        self.fd = fd
        self.path = path
        buffer = .allocate(byteCount: capacity, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    /// Writes to another file from now on (call after `flush`).
    func reset(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        fill = 0
        written = 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        written += Int64(bytes.count)
        var position = 0
        while position < bytes.count {
            let take = min(buffer.count - fill, bytes.count - position)
            (buffer.baseAddress! + fill).copyMemory(from: bytes.baseAddress! + position, byteCount: take)
            fill += take
            position += take
            if fill == buffer.count { try flush() }
        }
    }

    func flush() throws {
        guard fill > 0 else { return }
        try POSIX.writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<fill]), path: path)
        fill = 0
    }
}
