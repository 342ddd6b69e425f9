/// Encrypts one stream at a time in Tink's AES-GCM-HKDF streaming layout (`AES256_GCM_HKDF_1MB`).
/// Fixed buffers (one plaintext and one ciphertext segment); reusable via `begin`.
/// A segment is sealed only when the next byte arrives or the stream finishes, so the
/// last segment is always the one flagged last.
public final class StreamingEncryptor {
    private let cipher: AESGCMSegmentCipher
    private let plaintext: UnsafeMutableRawBufferPointer
    private let ciphertext: UnsafeMutableRawBufferPointer
    private var fill = 0
    private var index: UInt32 = 0
    private var noncePrefix = [UInt8]()
    private var active = false

    /// An encryptor with its buffers allocated.
    public init() throws {
        cipher = try AESGCMSegmentCipher()
        plaintext = .allocate(byteCount: StreamingAEADLayout.plaintextSegmentSize, alignment: 64)
        ciphertext = .allocate(byteCount: StreamingAEADLayout.ciphertextSegmentSize, alignment: 64)
    }

    deinit {
        plaintext.deallocate()
        ciphertext.deallocate()
    }

    /// Starts a stream: draws a fresh salt and nonce prefix, derives the file key, and hands the
    /// 40-byte header to `sink`.
    /// - Parameters:
    ///   - key: the 32-byte key.
    ///   - associatedData: authenticated, not stored (HKDF info); PyBak uses none.
    ///   - sink: receives output bytes; valid only during the call.
    public func begin(key: EncryptionKey, associatedData: [UInt8] = [], sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let salt = try OpenSSLCall.randomBytes(StreamingAEADLayout.saltSize)
        noncePrefix = try OpenSSLCall.randomBytes(StreamingAEADLayout.noncePrefixSize)
        let derived = try HKDF.sha256(key: key.bytes, salt: salt, info: associatedData, length: StreamingAEADLayout.keySize)
        try cipher.setKey(derived, encrypt: true)
        fill = 0
        index = 0
        active = true
        let header = [UInt8(StreamingAEADLayout.headerSize)] + salt + noncePrefix
        try header.withUnsafeBytes { try sink($0) }
    }

    /// Adds plaintext; full segments are sealed and handed to `sink` once more bytes follow them.
    public func update(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(active, "StreamingEncryptor.update before begin")
        var offset = 0
        while offset < input.count {
            let capacity = StreamingAEADLayout.plaintextCapacity(index)
            if fill == capacity { try seal(last: false, sink: sink) }
            let take = min(StreamingAEADLayout.plaintextCapacity(index) - fill, input.count - offset)
            (plaintext.baseAddress! + fill).copyMemory(from: input.baseAddress! + offset, byteCount: take)
            fill += take
            offset += take
        }
    }

    /// Seals what is buffered as the last segment.
    public func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(active, "StreamingEncryptor.finish before begin")
        try seal(last: true, sink: sink)
        active = false
    }

    private func seal(last: Bool, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let length = try cipher.seal(
            UnsafeRawBufferPointer(rebasing: plaintext[0..<fill]), prefix: noncePrefix, index: index, last: last, into: ciphertext)
        try sink(UnsafeRawBufferPointer(rebasing: ciphertext[0..<length]))
        fill = 0
        if !last {
            guard index < UInt32.max else { throw ArchiveError("the stream is too long to encrypt (more than 2^32 segments of 1 MiB)") }
            index += 1
        }
    }
}
