/// Decrypts one stream at a time in Tink's AES-GCM-HKDF streaming layout (`AES256_GCM_HKDF_1MB`).
/// Plaintext of a segment is handed out only after its tag has authenticated it; a segment is
/// treated as last only when the input ends after it, so truncation, reordering, a dropped last
/// segment and appended bytes all fail authentication.
public final class StreamingDecryptor {
    private let cipher: AESGCMSegmentCipher
    private let pending: UnsafeMutableRawBufferPointer
    private let plaintext: UnsafeMutableRawBufferPointer
    private var fill = 0
    private var index: UInt32 = 0
    private var header = [UInt8]()
    private var noncePrefix = [UInt8]()
    private var key: EncryptionKey?
    private var associatedData: [UInt8] = []
    /// Whether `finish` authenticated the last segment.
    public private(set) var finished = false

    /// A decryptor with its buffers allocated.
    public init() throws {
        cipher = try AESGCMSegmentCipher()
        pending = .allocate(byteCount: StreamingAEADLayout.ciphertextSegmentSize, alignment: 64)
        plaintext = .allocate(byteCount: StreamingAEADLayout.ciphertextSegmentSize, alignment: 64)
    }

    deinit {
        pending.deallocate()
        plaintext.deallocate()
    }

    /// Starts a stream with the key it was encrypted with.
    public func begin(key: EncryptionKey, associatedData: [UInt8] = []) {
        self.key = key
        self.associatedData = associatedData
        header.removeAll(keepingCapacity: true)
        fill = 0
        index = 0
        finished = false
    }

    private var segmentCapacity: Int {
        index == 0 ? StreamingAEADLayout.ciphertextSegmentSize - StreamingAEADLayout.headerSize : StreamingAEADLayout.ciphertextSegmentSize
    }

    /// Feeds ciphertext; authenticated plaintext goes to `sink`.
    /// - Throws: `ArchiveError` naming the segment that failed and the likely cause.
    public func feed(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let key else { preconditionFailure("StreamingDecryptor.feed before begin") }
        if finished && input.count > 0 { throw ArchiveError("data continues after the end of the encrypted stream") }
        var offset = 0
        if header.count < StreamingAEADLayout.headerSize {
            let take = min(StreamingAEADLayout.headerSize - header.count, input.count)
            header.append(contentsOf: input[0..<take])
            offset = take
            if header.count == StreamingAEADLayout.headerSize {
                guard header[0] == UInt8(StreamingAEADLayout.headerSize) else {
                    throw ArchiveError(
                        "not an AES256_GCM_HKDF_1MB stream: its header length byte is \(header[0]), expected \(StreamingAEADLayout.headerSize) (not encrypted by pybak, or damaged)")
                }
                let salt = Array(header[1...StreamingAEADLayout.saltSize])
                noncePrefix = Array(header[(1 + StreamingAEADLayout.saltSize)...])
                let derived = try HKDF.sha256(key: key.bytes, salt: salt, info: associatedData, length: StreamingAEADLayout.keySize)
                try cipher.setKey(derived, encrypt: false)
            }
        }
        while offset < input.count {
            if fill == segmentCapacity { try open(last: false, sink: sink) }
            let take = min(segmentCapacity - fill, input.count - offset)
            (pending.baseAddress! + fill).copyMemory(from: input.baseAddress! + offset, byteCount: take)
            fill += take
            offset += take
        }
    }

    /// Authenticates what is buffered as the last segment.
    /// - Throws: `ArchiveError` when the stream ends early or its last segment does not authenticate.
    public func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard header.count == StreamingAEADLayout.headerSize else {
            throw ArchiveError("the encrypted stream ends inside its \(StreamingAEADLayout.headerSize)-byte header (\(header.count) bytes): the file is truncated")
        }
        guard fill >= StreamingAEADLayout.tagSize else {
            throw ArchiveError("the encrypted stream ends \(fill) bytes into segment \(index), shorter than its 16-byte tag: the file is truncated")
        }
        try open(last: true, sink: sink)
        finished = true
    }

    private func open(last: Bool, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let length = try cipher.open(UnsafeRawBufferPointer(rebasing: pending[0..<fill]), prefix: noncePrefix, index: index, last: last, into: plaintext)
        guard let length else { throw failure(last: last) }
        try sink(UnsafeRawBufferPointer(rebasing: plaintext[0..<length]))
        fill = 0
        if !last {
            guard index < UInt32.max else { throw ArchiveError("the encrypted stream has more than 2^32 segments: it is damaged") }
            index += 1
        }
    }

    private func failure(last: Bool) -> ArchiveError {
        if index == 0 {
            return ArchiveError(
                "decryption failed: the first segment does not authenticate. The key is wrong (check --key-file / PYBAK_ENCRYPTION_KEY / the passphrase), or the file is damaged or truncated")
        }
        if last {
            return ArchiveError(
                "decryption failed: segment \(index), where the file ends, is not the last segment that was written: the file is truncated (or damaged)")
        }
        return ArchiveError(
            "decryption failed: segment \(index) does not authenticate: the file was modified or its segments were reordered")
    }
}
