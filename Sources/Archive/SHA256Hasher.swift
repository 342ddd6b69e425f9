import COpenSSL

/// Streaming SHA-256 through OpenSSL's EVP interface. Reusable after `finish()`.
public final class SHA256Hasher {
    private let context: OpaquePointer

    /// A fresh hasher.
    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context (out of memory)") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Starts a new digest.
    public func reset() {
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    /// Adds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Ends the digest and returns its 32 bytes; call `reset()` before reuse (done here).
    public func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        reset()
        return digest
    }

    /// The SHA-256 of bytes in memory (32 bytes).
    public static func digest(of bytes: [UInt8]) -> [UInt8] {
        let hasher = SHA256Hasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }

    /// The SHA-256 of a byte array, in lower-case hex.
    public static func hex(of bytes: [UInt8]) -> String {
        Hex.encode(digest(of: bytes))
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
