import COpenSSL
import Foundation

/// A 32-byte AES-256 key with its public fingerprint. The key bytes never reach logs or the
/// catalog; the `id` does.
public struct EncryptionKey: Sendable, Equatable {
    /// The key itself.
    public let bytes: [UInt8]
    /// A fingerprint safe to store: `k1-` and the first 16 hex digits of
    /// SHA-256("pybak-key-id-v1" || key) (see docs/ENCRYPTION.md).
    public let id: String

    /// A key from exactly 32 bytes.
    /// - Throws: `ArchiveError` when the length is not 32.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == StreamingAEADLayout.keySize else {
            throw ArchiveError("an AES-256 key is 32 bytes; this one has \(bytes.count)")
        }
        self.bytes = bytes
        self.id = Self.fingerprint(bytes)
    }

    /// A new random key from OpenSSL's CSPRNG.
    public static func generate() throws -> EncryptionKey {
        try EncryptionKey(bytes: OpenSSLCall.randomBytes(StreamingAEADLayout.keySize))
    }

    /// The key as standard base64 (what `pybak keygen` prints and `--key-file` reads).
    public var base64: String { Data(bytes).base64EncodedString() }

    /// Reads a key file's contents: exactly 32 raw bytes, or base64 of 32 bytes (surrounding
    /// whitespace allowed).
    /// - Parameter origin: names the input in errors (a path or a variable name).
    public static func parse(_ contents: [UInt8], origin: String) throws -> EncryptionKey {
        if contents.count == StreamingAEADLayout.keySize, let key = try? EncryptionKey(bytes: contents) {
            // 32 bytes could also be base64 text of 24 bytes; 24 bytes is not a valid key, so raw wins.
            return key
        }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let decoded = Data(base64Encoded: text) else {
            throw ArchiveError(
                "\(origin) holds neither 32 raw bytes nor base64 text (\(contents.count) bytes read); make a key with `pybak keygen > FILE`")
        }
        guard decoded.count == StreamingAEADLayout.keySize else {
            throw ArchiveError("\(origin) decodes to \(decoded.count) bytes; an AES-256 key is 32 bytes. Make one with `pybak keygen > FILE`")
        }
        return try EncryptionKey(bytes: Array(decoded))
    }

    /// Stretches a passphrase with scrypt (OpenSSL `EVP_PBE_scrypt`).
    /// - Parameters:
    ///   - passphrase: the passphrase bytes (a trailing newline is the caller's to strip).
    ///   - parameters: cost and salt, as stored beside the backups.
    public static func derive(passphrase: [UInt8], parameters: ScryptParameters) throws -> EncryptionKey {
        guard !passphrase.isEmpty else { throw ArchiveError("the passphrase is empty; write one into the passphrase file") }
        var key = [UInt8](repeating: 0, count: StreamingAEADLayout.keySize)
        let maxMemory = UInt64(128 * parameters.r * parameters.n + 1_048_576) * 2
        let rc = passphrase.withUnsafeBufferPointer { pass in
            pass.withMemoryRebound(to: CChar.self) { chars in
                EVP_PBE_scrypt(
                    chars.baseAddress, chars.count, parameters.salt, parameters.salt.count, UInt64(parameters.n), UInt64(parameters.r),
                    UInt64(parameters.p), maxMemory, &key, key.count)
            }
        }
        try OpenSSLCall.check(rc, "stretch the passphrase with scrypt (N=\(parameters.n), r=\(parameters.r), p=\(parameters.p))")
        return try EncryptionKey(bytes: key)
    }

    static func fingerprint(_ key: [UInt8]) -> String {
        let hasher = SHA256Hasher()
        Array("pybak-key-id-v1".utf8).withUnsafeBytes { hasher.update($0) }
        key.withUnsafeBytes { hasher.update($0) }
        return "k1-" + String(Hex.encode(hasher.finish()).prefix(16))
    }
}

/// The scrypt settings and salt a passphrase key is derived with; stored (not secret) in
/// `DEST/.pybak/passphrase.json` so any decryptor can derive the same key.
public struct ScryptParameters: Codable, Sendable, Equatable {
    /// Always `scrypt`.
    public var kdf: String
    /// CPU/memory cost (a power of two).
    public var n: Int
    /// Block size.
    public var r: Int
    /// Parallelism.
    public var p: Int
    /// The random salt (16 bytes), base64 in JSON.
    public var salt: [UInt8]
    /// The id of the key this passphrase produced, to recognise a different passphrase.
    public var keyId: String?

    enum CodingKeys: String, CodingKey { case kdf, n = "N", r, p, salt, keyId }

    /// Fresh parameters with a random salt: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s).
    public static func fresh() throws -> ScryptParameters {
        ScryptParameters(kdf: "scrypt", n: 1 << 15, r: 8, p: 1, salt: try OpenSSLCall.randomBytes(16), keyId: nil)
    }

    public init(kdf: String, n: Int, r: Int, p: Int, salt: [UInt8], keyId: String?) {
        self.kdf = kdf
        self.n = n
        self.r = r
        self.p = p
        self.salt = salt
        self.keyId = keyId
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kdf = try c.decode(String.self, forKey: .kdf)
        n = try c.decode(Int.self, forKey: .n)
        r = try c.decode(Int.self, forKey: .r)
        p = try c.decode(Int.self, forKey: .p)
        let text = try c.decode(String.self, forKey: .salt)
        guard let salt = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: .salt, in: c, debugDescription: "salt is not base64")
        }
        self.salt = Array(salt)
        keyId = try c.decodeIfPresent(String.self, forKey: .keyId)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kdf, forKey: .kdf)
        try c.encode(n, forKey: .n)
        try c.encode(r, forKey: .r)
        try c.encode(p, forKey: .p)
        try c.encode(Data(salt).base64EncodedString(), forKey: .salt)
        try c.encodeIfPresent(keyId, forKey: .keyId)
    }
}
