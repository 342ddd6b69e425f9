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

    private func read(_ file: FileRecord, escapingSink sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        var path = file.destinationPath
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
        let opened = try locator.open(file)
        let reader = opened.reader
        path = opened.name
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
            while true {
                let n: Int
                do {
                    n = try reader.read(into: buffer)
                } catch let error as StoredObjectError {
                    throw RecoveryError(.io, error.description)
                }
                if n == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                if file.keyId != nil { try decryptor.feed(chunk, sink: inflate) } else { try inflate(chunk) }
            }
            if file.keyId != nil { try decryptor.finish(sink: inflate) }
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
