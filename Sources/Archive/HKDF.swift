import COpenSSL

/// HKDF (RFC 5869) with SHA-256 through OpenSSL's `EVP_PKEY_derive`.
enum HKDF {
    /// Extract-and-expand: `length` bytes from `key`, `salt` and `info`.
    /// - Throws: `ArchiveError` when OpenSSL refuses (it does not for valid sizes).
    static func sha256(key: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else {
            throw ArchiveError("OpenSSL could not allocate an HKDF context: \(OpenSSLCall.lastError())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try OpenSSLCall.check(EVP_PKEY_derive_init(context), "start HKDF")
        try OpenSSLCall.check(EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()), "select SHA-256 for HKDF")
        try OpenSSLCall.check(EVP_PKEY_CTX_set1_hkdf_salt(context, salt, Int32(salt.count)), "set the HKDF salt")
        try OpenSSLCall.check(EVP_PKEY_CTX_set1_hkdf_key(context, key, Int32(key.count)), "set the HKDF key")
        if !info.isEmpty {
            try OpenSSLCall.check(EVP_PKEY_CTX_add1_hkdf_info(context, info, Int32(info.count)), "set the HKDF info")
        }
        var output = [UInt8](repeating: 0, count: length)
        var produced = length
        try OpenSSLCall.check(output.withUnsafeMutableBufferPointer { EVP_PKEY_derive(context, $0.baseAddress, &produced) }, "derive an HKDF key")
        guard produced == length else { throw ArchiveError("HKDF produced \(produced) bytes instead of \(length)") }
        return output
    }
}
