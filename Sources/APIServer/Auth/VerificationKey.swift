import COpenSSL

/// A public key that checks JWS signatures (RS256 or ES256), built with OpenSSL from a JWK.
///
/// Owns its `EVP_PKEY` and frees it in `deinit`; C never leaks past this type.
final class VerificationKey: @unchecked Sendable {
    /// The algorithm this key verifies (a key is bound to one).
    let algorithm: JWSAlgorithm
    // Immutable after init; OpenSSL allows concurrent verifies with one EVP_PKEY.
    private let key: OpaquePointer

    /// An RSA key from the JWK's `n` and `e` (big-endian bytes); 2048 bits at least.
    init(rsaModulus n: [UInt8], exponent e: [UInt8]) throws(KeyImportError) {
        guard !n.isEmpty, !e.isEmpty else { throw KeyImportError("RSA key without n or e") }
        key = try Self.build(type: "RSA", [.number("n", n), .number("e", e)])
        algorithm = .rs256
        let bits = EVP_PKEY_get_bits(key)
        guard bits >= 2048 else {
            EVP_PKEY_free(key)
            throw KeyImportError("RSA key of \(bits) bits; at least 2048 are required")
        }
    }

    /// A P-256 key from the JWK's `x` and `y` (32 bytes each); the point must be on the curve.
    init(p256X x: [UInt8], y: [UInt8]) throws(KeyImportError) {
        guard x.count == 32, y.count == 32 else { throw KeyImportError("P-256 key coordinates must be 32 bytes each") }
        let point = [0x04] + x + y
        key = try Self.build(type: "EC", [.text("group", "prime256v1"), .octets("pub", point)])
        algorithm = .es256
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            EVP_PKEY_free(key)
            throw KeyImportError("OpenSSL could not check the P-256 key")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_public_check(context) == 1 else {
            EVP_PKEY_free(key)
            throw KeyImportError("the P-256 point is not a valid public key")
        }
    }

    deinit { EVP_PKEY_free(key) }

    /// Checks a JWS signature over `signingInput` (the ASCII `header.payload`).
    func verify(signature: [UInt8], signingInput: [UInt8]) -> Bool {
        var der = signature
        if algorithm == .es256 {
            guard let converted = Self.derSignature(joseSignature: signature) else { return false }
            der = converted
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        let ok = EVP_DigestVerify(context, der, der.count, signingInput, signingInput.count) == 1
        ERR_clear_error()
        return ok
    }

    /// JOSE's ES256 signature is r || s, 32 bytes each (RFC 7518 §3.4); OpenSSL wants DER.
    static func derSignature(joseSignature raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let r = BN_bin2bn(raw, 32, nil) else { return nil }
        guard let s = raw.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress! + 32, 32, nil) }) else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }

    /// One OpenSSL key parameter. Names are static C strings: the builder keeps the name pointers.
    enum Parameter {
        case number(StaticString, [UInt8])
        case text(StaticString, StaticString)
        case octets(StaticString, [UInt8])
    }

    /// Builds an `EVP_PKEY` of `type` from public parameters. Every buffer the builder points at
    /// stays alive until `OSSL_PARAM_BLD_to_param` has copied it.
    private static func build(type: String, _ parameters: [Parameter]) throws(KeyImportError) -> OpaquePointer {
        guard let builder = OSSL_PARAM_BLD_new() else { throw KeyImportError("OpenSSL could not allocate parameters") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var numbers: [OpaquePointer] = []
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            numbers.forEach { BN_free($0) }
            buffers.forEach { $0.deallocate() }
        }
        for parameter in parameters {
            let pushed: Int32
            switch parameter {
            case .number(let name, let bytes):
                guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw KeyImportError("OpenSSL could not read a \(type) number") }
                numbers.append(number)
                pushed = OSSL_PARAM_BLD_push_BN(builder, cString(name), number)
            case .text(let name, let value):
                pushed = OSSL_PARAM_BLD_push_utf8_string(builder, cString(name), cString(value), 0)
            case .octets(let name, let bytes):
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
                buffers.append(buffer)
                buffer.copyBytes(from: bytes)
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, cString(name), buffer.baseAddress, bytes.count)
            }
            guard pushed == 1 else { throw KeyImportError("OpenSSL rejected a \(type) key parameter") }
        }
        guard let params = OSSL_PARAM_BLD_to_param(builder) else { throw KeyImportError("OpenSSL rejected the \(type) key parameters") }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { throw KeyImportError("OpenSSL has no \(type) support") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        let selection = OSSL_KEYMGMT_SELECT_ALL_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY
        guard EVP_PKEY_fromdata_init(context) == 1, EVP_PKEY_fromdata(context, &key, selection, params) == 1, let key else {
            ERR_clear_error()
            throw KeyImportError("OpenSSL rejected the \(type) public key")
        }
        return key
    }

    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

/// A JWK that cannot be used, and why.
struct KeyImportError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The signature algorithms the API accepts: asymmetric only, never `none`, never HMAC.
enum JWSAlgorithm: String, Sendable {
    case rs256 = "RS256"
    case es256 = "ES256"
}
