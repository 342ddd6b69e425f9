import Archive
import COpenSSL
import Foundation

/// Signs with an RSA private key: RSASSA-PKCS1-v1_5 over SHA-256 (JWT `RS256`), through OpenSSL EVP.
public final class RS256Signer: @unchecked Sendable {
    // The key is only read after init (EVP_DigestSign on a fresh context), which OpenSSL allows from any thread.
    private let key: OpaquePointer

    /// Loads a PEM private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`).
    /// - Parameters:
    ///   - pem: the key text.
    ///   - origin: the file and field it came from, for messages.
    /// - Throws: `UploadError` when the PEM cannot be read or the key is not RSA.
    public init(pem: String, origin: String) throws {
        let bytes = Array(pem.utf8)
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let loaded else {
            throw UploadError(path: origin, "field private_key cannot be read as a PEM private key (\(OpenSSLCall.lastError())); download a fresh key")
        }
        guard EVP_PKEY_get_base_id(loaded) == EVP_PKEY_RSA else {
            EVP_PKEY_free(loaded)
            throw UploadError(path: origin, "field private_key is not an RSA key; Google's token endpoint needs RS256, so use a service-account key Google generated")
        }
        key = loaded
    }

    deinit { EVP_PKEY_free(key) }

    /// The RS256 signature of `data`.
    /// - Throws: `UploadError` with OpenSSL's message when signing fails.
    public func sign(_ data: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw UploadError(path: "RS256", "OpenSSL is out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw UploadError(path: "RS256", "cannot start signing: \(OpenSSLCall.lastError())")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, data, data.count) == 1 else {
            throw UploadError(path: "RS256", "cannot size the signature: \(OpenSSLCall.lastError())")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, data, data.count) == 1 else {
            throw UploadError(path: "RS256", "cannot sign: \(OpenSSLCall.lastError())")
        }
        return Array(signature.prefix(length))
    }
}
