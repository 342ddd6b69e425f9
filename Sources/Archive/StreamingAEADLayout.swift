/// The constants of Tink's AES-GCM-HKDF streaming layout with the `AES256_GCM_HKDF_1MB`
/// parameters (see docs/ENCRYPTION.md): 32-byte key, HKDF-SHA256, 1 MiB ciphertext segments.
public enum StreamingAEADLayout {
    /// Size of the input key and of the derived per-file key.
    public static let keySize = 32
    /// Size of the random per-file HKDF salt (equals the derived key size).
    public static let saltSize = 32
    /// Size of the random per-file nonce prefix.
    public static let noncePrefixSize = 7
    /// `1 + saltSize + noncePrefixSize` = 40; also the value of the header's first byte.
    public static let headerSize = 1 + saltSize + noncePrefixSize
    /// AES-GCM tag size, appended to each segment.
    public static let tagSize = 16
    /// Ciphertext bytes of every segment but the last (the first counts the header too).
    public static let ciphertextSegmentSize = 1 << 20
    /// Plaintext bytes of a full segment after the first.
    public static let plaintextSegmentSize = ciphertextSegmentSize - tagSize
    /// Plaintext bytes of a full first segment (the header shares its space).
    public static let firstPlaintextSegmentSize = ciphertextSegmentSize - headerSize - tagSize

    /// Plaintext capacity of segment `index`.
    static func plaintextCapacity(_ index: UInt32) -> Int {
        index == 0 ? firstPlaintextSegmentSize : plaintextSegmentSize
    }

    /// The 12-byte GCM nonce: prefix (7) || segment index (4, big-endian) || last flag (1).
    static func nonce(prefix: [UInt8], index: UInt32, last: Bool, into nonce: inout [UInt8]) {
        for i in 0..<noncePrefixSize { nonce[i] = prefix[i] }
        nonce[7] = UInt8(truncatingIfNeeded: index >> 24)
        nonce[8] = UInt8(truncatingIfNeeded: index >> 16)
        nonce[9] = UInt8(truncatingIfNeeded: index >> 8)
        nonce[10] = UInt8(truncatingIfNeeded: index)
        nonce[11] = last ? 1 : 0
    }

    /// The size of the ciphertext for a plaintext of `length` bytes.
    public static func ciphertextSize(plaintextLength length: Int64) -> Int64 {
        let first = Int64(firstPlaintextSegmentSize)
        guard length > first else { return Int64(headerSize + tagSize) + length }
        let rest = length - first
        let more = (rest + Int64(plaintextSegmentSize) - 1) / Int64(plaintextSegmentSize)
        return Int64(headerSize) + length + (1 + more) * Int64(tagSize)
    }
}
