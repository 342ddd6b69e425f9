import Archive
import COpenSSL
import Foundation

/// Message digests and HMAC through OpenSSL's EVP interface.
public enum Digest {
    /// The digests an upload sends so the store can verify the bytes it received.
    public struct Pair: Sendable, Equatable {
        /// MD5, raw bytes (S3 `Content-MD5`, and the ETag of a single-part object).
        public var md5: [UInt8]
        /// SHA-256, raw bytes (S3 `x-amz-content-sha256`).
        public var sha256: [UInt8]
    }

    /// SHA-256 of bytes in memory (Archive's `SHA256Hasher`, the one SHA-256 of the project).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        SHA256Hasher.digest(of: bytes)
    }

    /// MD5 of bytes in memory.
    public static func md5(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { one(EVP_md5(), $0) }
    }

    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    _ = HMAC(
                        EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                        o.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
                }
            }
        }
        return out
    }

    /// MD5 and SHA-256 of a byte range of a file, read once through a fixed buffer.
    /// - Throws: `UploadError` naming the file when it cannot be read whole.
    public static func ofFile(_ path: String, offset: Int64 = 0, length: Int64) throws -> Pair {
        guard let md5 = EVP_MD_CTX_new() else { throw UploadError(path: path, "OpenSSL is out of memory") }
        defer { EVP_MD_CTX_free(md5) }
        EVP_DigestInit_ex(md5, EVP_md5(), nil)
        let sha = SHA256Hasher()
        try FileRange.read(path, offset: offset, length: length) { piece in
            EVP_DigestUpdate(md5, piece.baseAddress!, piece.count)
            sha.update(piece)
        }
        return Pair(md5: finish(md5, 16), sha256: sha.finish())
    }

    private static func one(_ type: OpaquePointer?, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context (out of memory)") }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, type, nil)
        if let base = bytes.baseAddress, bytes.count > 0 { EVP_DigestUpdate(context, base, bytes.count) }
        return finish(context, EVP_MD_get_size(type) > 0 ? Int(EVP_MD_get_size(type)) : 64)
    }

    private static func finish(_ context: OpaquePointer, _ size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return Array(out.prefix(Int(length)))
    }
}

/// Base64 text of bytes (lower-case hex is Archive's `Hex.encode`).
public enum ByteText {
    /// Standard Base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
