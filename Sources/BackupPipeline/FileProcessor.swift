import Archive
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Opens source files; replaced in tests to inject read faults (tests run as root,
/// where a `chmod 000` file is still readable).
public protocol SourceOpener: Sendable {
    /// Opens a file for reading and returns its descriptor.
    func openForReading(_ path: String) throws -> Int32
}

/// The real opener: no symbolic links followed, no blocking on FIFOs.
public struct POSIXSourceOpener: SourceOpener {
    public init() {}
    public func openForReading(_ path: String) throws -> Int32 { try POSIX.openForReading(path) }
}

/// A source file compressed, hashed and verified into a temporary file.
struct ProcessedFile: Sendable {
    var file: ScannedFile
    /// SHA-256 of the source bytes, hex.
    var sha256: String
    /// Bytes of the temporary gzip file.
    var storedSize: Int64
    /// Where the verified copy waits to be renamed into place (or, for an archive, to be copied into it).
    var temporaryPath: String
    /// Archive members: what the archive needs to frame the member's deflate data.
    var member: MemberPayload? = nil
}

/// The deflate data of one archive member, as a worker wrote it to its temporary file.
struct MemberPayload: Sendable {
    /// CRC-32 of the uncompressed payload (zip: the file; tar: its headers, data and padding).
    var crc32: UInt32
    /// Uncompressed bytes of the payload.
    var length: Int64
    /// Bytes of deflate data (before encryption of the temporary file).
    var compressedSize: Int64
    /// The file's modification time, seconds.
    var mtime: Int64
}

/// What became of one file in a worker.
enum ProcessOutcome: Sendable {
    case ready(ProcessedFile)
    /// Left for the next pass (changed while read); not an error.
    case deferred(ScannedFile, reason: String)
    /// Could not be stored this pass; the source is untouched.
    case failed(ScannedFile, reason: String, diskFull: Bool)
}

/// One worker's reusable state: buffers, compressor, decompressor, hashers.
/// Confined to one thread at a time.
final class FileProcessor: @unchecked Sendable {
    private let readBuffer: UnsafeMutableRawBufferPointer
    private let writer = BufferedWriter(fd: -1, path: "")
    private let deflater: GzipDeflater
    private let inflater: GzipInflater
    /// Set when stored copies are encrypted: gzip output goes through it before the file.
    private let encryption: (key: EncryptionKey, encryptor: StreamingEncryptor, decryptor: StreamingDecryptor)?
    private let hasher = SHA256Hasher()
    private let verifyHasher = SHA256Hasher()
    private let opener: any SourceOpener
    private let sourceRoot: String
    private let temporaryFolder: String
    private let workerIndex: Int
    private let runId: Int64
    private let format: StorageFormat
    private var sequence = 0

    /// Size of the fixed read and write buffers.
    static let bufferSize = 256 * 1024

    init(
        level: Int, opener: any SourceOpener, sourceRoot: String, temporaryFolder: String, workerIndex: Int, runId: Int64,
        encryptionKey: EncryptionKey? = nil, format: StorageFormat = .gzip
    ) throws {
        readBuffer = .allocate(byteCount: Self.bufferSize, alignment: 4096)
        // Archive members are bare deflate data; the committer frames them (zip headers, or gzip over the tar).
        deflater = try GzipDeflater(level: level, raw: format.isArchive)
        inflater = try GzipInflater(raw: format.isArchive)
        self.format = format
        encryption = try encryptionKey.map { ($0, try StreamingEncryptor(), try StreamingDecryptor()) }
        self.opener = opener
        self.sourceRoot = sourceRoot
        self.temporaryFolder = temporaryFolder
        self.workerIndex = workerIndex
        self.runId = runId
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Reads the source once (SHA-256 + gzip [+ AES-256-GCM] in one pass) into a temporary file, then
    /// verifies the temporary file by [decrypting and] decompressing it and comparing hash and length.
    /// For a zip member the temporary file holds the file's bare deflate stream; for a tar.gz member, its
    /// tar headers, data and padding as deflate data ending in a sync flush, so members join into one stream.
    func process(_ file: ScannedFile) -> ProcessOutcome {
        let sourcePath = "\(sourceRoot)/\(file.relativePath)"
        sequence += 1
        let temporaryPath = "\(temporaryFolder)/\(runId)-\(workerIndex)-\(sequence)"
        var temporaryCreated = false
        do {
            let input = try opener.openForReading(sourcePath)
            defer { close(input) }
            let before = try POSIX.fstat(input, path: sourcePath)
            guard before.isRegular, before.isSameFile(as: file.status) else {
                return .deferred(file, reason: "it changed after the scan (still being written?); it waits for the next pass")
            }
            let output = try POSIX.createExclusive(temporaryPath)
            temporaryCreated = true
            defer { close(output) }

            let name = OutputNaming.split(file.relativePath).name
            if format.isArchive { deflater.reset() } else { try deflater.begin(name: name, mtime: before.mtimeSeconds) }
            writer.reset(fd: output, path: temporaryPath)
            var bytesRead: Int64 = 0
            var storedSize: Int64 = 0
            var compressedSize: Int64 = 0
            let fileSink: (UnsafeRawBufferPointer) throws -> Void = { chunk in
                storedSize += Int64(chunk.count)
                try self.writer.write(chunk)
            }
            var sink = fileSink
            if let encryption {
                try encryption.encryptor.begin(key: encryption.key, sink: fileSink)
                sink = { chunk in try encryption.encryptor.update(chunk, sink: fileSink) }
            }
            let counted: (UnsafeRawBufferPointer) throws -> Void = { chunk in
                compressedSize += Int64(chunk.count)
                try sink(chunk)
            }
            // tar.gz: the member's tar header goes first and its padding last, in the same deflate data.
            let tarHeader = format == .tarGz ? TarLayout.header(path: file.relativePath, size: before.size, mtime: before.mtimeSeconds) : []
            var payloadCRC = tarHeader.withUnsafeBytes { CRC32.update(0, $0) }
            try tarHeader.withUnsafeBytes { try deflater.compress($0, flush: .none, sink: counted) }
            let lastFlush: GzipDeflater.Flush = format == .tarGz ? .none : .finish
            while true {
                let n = try POSIX.read(input, into: readBuffer, path: sourcePath)
                let chunk = UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])
                hasher.update(chunk)
                if format.isArchive { payloadCRC = CRC32.update(payloadCRC, chunk) }
                bytesRead += Int64(n)
                try deflater.compress(chunk, flush: n == 0 ? lastFlush : .none, sink: counted)
                if n == 0 { break }
            }
            var payloadLength = Int64(tarHeader.count) + bytesRead
            if format == .tarGz {
                let padding = [UInt8](repeating: 0, count: TarLayout.padding(bytesRead))
                payloadLength += Int64(padding.count)
                payloadCRC = padding.withUnsafeBytes { CRC32.update(payloadCRC, $0) }
                try padding.withUnsafeBytes { try deflater.compress($0, flush: .sync, sink: counted) }
            }
            try encryption?.encryptor.finish(sink: fileSink)
            try writer.flush()
            let digest = hasher.finish()

            let after = try POSIX.fstat(input, path: sourcePath)
            guard after.isSameFile(as: before), bytesRead == before.size else {
                try? POSIX.unlink(temporaryPath)
                return .deferred(file, reason: "it changed while it was read (still being written?); it waits for the next pass")
            }
            var confirmed = file
            confirmed.status = after
            try verify(
                fd: output, temporaryPath: temporaryPath, expectedDigest: digest, expectedLength: bytesRead,
                payload: (offset: Int64(tarHeader.count), length: payloadLength, crc: payloadCRC))
            var processed = ProcessedFile(file: confirmed, sha256: Hex.encode(digest), storedSize: storedSize, temporaryPath: temporaryPath)
            if format.isArchive {
                processed.member = MemberPayload(crc32: payloadCRC, length: payloadLength, compressedSize: compressedSize, mtime: before.mtimeSeconds)
                processed.storedSize = compressedSize
            }
            return .ready(processed)
        } catch let error as SystemError {
            if temporaryCreated { try? POSIX.unlink(temporaryPath) }
            hasher.reset()
            if error.code == ENOENT && error.path == sourcePath {
                return .deferred(file, reason: "it vanished before it could be read; nothing to store")
            }
            return .failed(file, reason: error.description, diskFull: error.isDiskFull)
        } catch {
            if temporaryCreated { try? POSIX.unlink(temporaryPath) }
            hasher.reset()
            return .failed(file, reason: "\(error)", diskFull: false)
        }
    }

    /// Reads the written copy back from the file (not from memory), decrypts and decompresses it
    /// and checks it yields exactly the bytes that were read.
    /// Archive members: the file's bytes sit at `payload.offset` in a payload of `payload.length` bytes with CRC-32 `payload.crc`.
    private func verify(
        fd: Int32, temporaryPath: String, expectedDigest: [UInt8], expectedLength: Int64, payload: (offset: Int64, length: Int64, crc: UInt32)
    ) throws {
        inflater.reset()
        encryption.map { $0.decryptor.begin(key: $0.key) }
        var length: Int64 = 0
        var payloadLength: Int64 = 0
        var crc: UInt32 = 0
        var offset: Int64 = 0
        let dataRange = payload.offset..<(payload.offset + expectedLength)
        let inflate: (UnsafeRawBufferPointer) throws -> Void = { compressed in
            try self.inflater.feed(compressed) { chunk in
                let start = payloadLength
                payloadLength += Int64(chunk.count)
                if self.format.isArchive { crc = CRC32.update(crc, chunk) }
                let lower = max(start, dataRange.lowerBound)
                let upper = min(payloadLength, dataRange.upperBound)
                guard lower < upper else { return }
                length += upper - lower
                self.verifyHasher.update(UnsafeRawBufferPointer(rebasing: chunk[Int(lower - start)..<Int(upper - start)]))
            }
        }
        do {
            while true {
                let n = try POSIX.read(fd, into: readBuffer, at: offset, path: temporaryPath)
                if n == 0 { break }
                offset += Int64(n)
                let chunk = UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])
                if let encryption { try encryption.decryptor.feed(chunk, sink: inflate) } else { try inflate(chunk) }
            }
            try encryption?.decryptor.finish(sink: inflate)
        } catch let error as ArchiveError {
            _ = verifyHasher.finish()
            throw VerificationError(path: temporaryPath, detail: error.message)
        }
        let digest = verifyHasher.finish()
        // A tar.gz member's deflate data ends in a sync flush, not a final block: it is only complete once joined.
        let complete = format == .tarGz ? true : inflater.finished
        let framed = !format.isArchive || (payloadLength == payload.length && crc == payload.crc)
        guard complete, framed, length == expectedLength, digest == expectedDigest else {
            throw VerificationError(path: temporaryPath)
        }
    }
}

/// The written copy did not decompress to the bytes that were read.
struct VerificationError: Error, CustomStringConvertible {
    let path: String
    var detail: String? = nil
    var description: String {
        "verification failed: the compressed copy \(path) does not decompress to the source's bytes (\(detail ?? "memory or disk fault?")); the source was kept"
    }
}
