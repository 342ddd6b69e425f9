import Archive
import Catalog
import Logging
import PyBakCore

/// Reads a catalogued copy back through a `CopyLocator` (a `StoredObjectSource` per store): decrypts (when the row has a
/// key id), decompresses, and checks length and SHA-256 against the catalog, handing the
/// original bytes to a sink as they come. Fixed buffers; one instance per thread.
public final class StoredCopyReader {
    private let locator: CopyLocator
    private let key: EncryptionKey?
    private let buffer: UnsafeMutableRawBufferPointer
    private let inflater: GzipInflater
    private let decryptor: StreamingDecryptor
    private let hasher = SHA256Hasher()

    /// A reader over the destination folder alone.
    /// - Parameters:
    ///   - source: where the copies are.
    ///   - key: the key for encrypted copies, if any was given.
    public convenience init(source: any StoredObjectSource, key: EncryptionKey?) throws {
        try self.init(locator: .localOnly(source, logger: Logger(label: "pybak.recovery") { _ in SwiftLogNoOpLogHandler() }), key: key)
    }

    /// A reader over the stores a locator chooses between.
    /// - Parameters:
    ///   - locator: finds each file's copy (destination folder, cloud object, or both in turn).
    ///   - key: the key for encrypted copies, if any was given.
    public init(locator: CopyLocator, key: EncryptionKey?) throws {
        self.locator = locator
        self.key = key
        buffer = .allocate(byteCount: 256 * 1024, alignment: 4096)
        inflater = try GzipInflater()
        decryptor = try StreamingDecryptor()
    }

    deinit { buffer.deallocate() }

    /// Streams the original bytes of `file` to `sink`, then checks them.
    /// - Returns: where the copy was read: `local`, or the object (`s3://bucket/key`).
    /// - Throws: `RecoveryError` (missing, key, corrupt, io); errors thrown by `sink` pass through.
    @discardableResult
    public func read(_ file: FileRecord, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        try withoutActuallyEscaping(sink) { try read(file, escapingSink: $0) }
    }

    /// Streams the members of one archive that `rows` (all with that `destinationPath`) ask for, in one read
    /// of the archive; each row ends at `sink.end`, with an error when it could not be read or did not match.
    /// - Returns: where the archive was read (as `read` says), or nil when it could not be opened.
    @discardableResult
    func readArchive(_ rows: [FileRecord], sink: any ArchiveRowSink) -> String? {
        guard let first = rows.first else { return nil }
        var path = first.destinationPath
        var from: String?
        let members = ArchiveCopyReader(path: path, rows: rows, sink: sink)
        do {
            try checkKey(first)
            let opened = try locator.open(first)
            path = opened.name
            members.path = path
            from = opened.store == "local" ? "local" : opened.name
            let scanner = try ArchiveCopyReader.scanner(for: first.destinationPath, visitor: members)
            try stream(opened.reader, encrypted: first.keyId != nil) { try scanner.feed($0) }
            try scanner.finish()
        } catch let error as ArchiveError {
            members.failRemaining(RecoveryError(.corrupt, "\(path) is corrupt: \(error.message)"))
        } catch {
            members.failRemaining(ArchiveCopyReader.recoveryError(error))
        }
        for row in members.unfinished {
            sink.end(row, error: RecoveryError(.corrupt, "\(path) is corrupt: it has no member \(row.archiveMember ?? "")"))
        }
        return from
    }

    /// Refuses a row whose copy needs a key that was not given, or another one; starts the decryptor otherwise.
    private func checkKey(_ file: FileRecord) throws {
        let path = file.destinationPath
        if let needed = file.keyId {
            guard let key else {
                throw RecoveryError(
                    .key,
                    "\(path) is encrypted (key \(needed)); pass --key-file FILE, --passphrase-file FILE or set \(KeySource.keyVariable)")
            }
            guard key.id == needed else {
                throw RecoveryError(.key, "\(path) is encrypted with key \(needed), but the key given is \(key.id); pass the key it was made with")
            }
            decryptor.begin(key: key)
        }
    }

    /// Reads the whole stored object, decrypting it when `encrypted`, into `sink`.
    private func stream(_ reader: any StoredObjectReader, encrypted: Bool, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let n: Int
            do {
                n = try reader.read(into: buffer)
            } catch let error as StoredObjectError {
                throw RecoveryError(.io, error.description)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if encrypted { try decryptor.feed(chunk, sink: sink) } else { try sink(chunk) }
        }
        if encrypted { try decryptor.finish(sink: sink) }
    }

    private func read(_ file: FileRecord, escapingSink sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        if file.archiveMember != nil {
            let single = SingleMemberSink(sink: sink)
            let from = readArchive([file], sink: single)
            if let error = single.error { throw error }
            return from ?? file.destinationPath
        }
        try checkKey(file)
        let opened = try locator.open(file)
        let path = opened.name
        inflater.reset()
        var length: Int64 = 0
        let inflate: (UnsafeRawBufferPointer) throws -> Void = { compressed in
            try self.inflater.feed(compressed) { chunk in
                length += Int64(chunk.count)
                self.hasher.update(chunk)
                try sink(chunk)
            }
        }
        do {
            try stream(opened.reader, encrypted: file.keyId != nil, sink: inflate)
        } catch let error as ArchiveError {
            hasher.reset()
            throw RecoveryError(.corrupt, "\(path) is corrupt: \(error.message)")
        } catch {
            hasher.reset()
            throw error
        }
        let digest = Hex.encode(hasher.finish())
        guard inflater.finished else { throw RecoveryError(.corrupt, "\(path) is corrupt: the gzip stream ends early (truncated copy)") }
        guard length == file.size, digest == file.sha256 else {
            throw RecoveryError(
                .corrupt,
                "\(path) is corrupt: it decompresses to \(length) bytes with SHA-256 \(digest), but the catalog recorded \(file.size) bytes with \(file.sha256)")
        }
        return opened.store == "local" ? "local" : opened.name
    }
}

/// Hands one row's member to a closure and keeps its outcome.
private final class SingleMemberSink: ArchiveRowSink {
    let sink: (UnsafeRawBufferPointer) throws -> Void
    var error: RecoveryError?

    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.sink = sink }

    func begin(_ row: FileRecord) throws {}

    func data(_ row: FileRecord, _ chunk: UnsafeRawBufferPointer) throws { try sink(chunk) }

    func end(_ row: FileRecord, error: RecoveryError?) { self.error = error }
}
