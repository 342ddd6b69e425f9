import COpenSSL

/// AES-256-GCM over one segment at a time through OpenSSL EVP; the key schedule is set once
/// per stream and each segment only changes the nonce.
final class AESGCMSegmentCipher {
    private let context: OpaquePointer
    private var nonce = [UInt8](repeating: 0, count: 12)

    init() throws {
        guard let context = EVP_CIPHER_CTX_new() else {
            throw ArchiveError("OpenSSL could not allocate a cipher context: \(OpenSSLCall.lastError())")
        }
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Sets the 32-byte key for encrypting (`encrypt`) or decrypting.
    func setKey(_ key: [UInt8], encrypt: Bool) throws {
        try OpenSSLCall.check(EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nil, key, nil, encrypt ? 1 : 0), "set the AES-256-GCM key")
    }

    /// Encrypts `plaintext` into `output` followed by the 16-byte tag; returns the bytes written.
    func seal(_ plaintext: UnsafeRawBufferPointer, prefix: [UInt8], index: UInt32, last: Bool, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        StreamingAEADLayout.nonce(prefix: prefix, index: index, last: last, into: &nonce)
        try OpenSSLCall.check(EVP_EncryptInit_ex(context, nil, nil, nil, nonce), "set a segment nonce")
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        if plaintext.count > 0 {
            try OpenSSLCall.check(
                EVP_EncryptUpdate(context, out, &written, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)),
                "encrypt a segment")
        }
        var tail: Int32 = 0
        try OpenSSLCall.check(EVP_EncryptFinal_ex(context, out + Int(written), &tail), "finish a segment")
        let length = Int(written + tail)
        try OpenSSLCall.check(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(StreamingAEADLayout.tagSize), out + length), "read a segment tag")
        return length + StreamingAEADLayout.tagSize
    }

    /// Decrypts `ciphertext` (bytes followed by the tag) into `output`; returns the plaintext
    /// length, or nil when the tag does not authenticate. Plaintext is valid only when not nil.
    func open(_ ciphertext: UnsafeRawBufferPointer, prefix: [UInt8], index: UInt32, last: Bool, into output: UnsafeMutableRawBufferPointer) throws -> Int? {
        let bodyLength = ciphertext.count - StreamingAEADLayout.tagSize
        guard bodyLength >= 0 else { return nil }
        StreamingAEADLayout.nonce(prefix: prefix, index: index, last: last, into: &nonce)
        try OpenSSLCall.check(EVP_DecryptInit_ex(context, nil, nil, nil, nonce), "set a segment nonce")
        let input = ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        if bodyLength > 0 {
            try OpenSSLCall.check(EVP_DecryptUpdate(context, out, &written, input, Int32(bodyLength)), "decrypt a segment")
        }
        try OpenSSLCall.check(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(StreamingAEADLayout.tagSize), UnsafeMutableRawPointer(mutating: input + bodyLength)),
            "set a segment tag")
        var tail: Int32 = 0
        guard EVP_DecryptFinal_ex(context, out + Int(written), &tail) == 1 else {
            ERR_clear_error()
            return nil
        }
        return Int(written + tail)
    }
}
