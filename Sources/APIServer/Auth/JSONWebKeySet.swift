import PyBakCore

/// A JWKS document (RFC 7517), reduced to the members the API uses.
struct JSONWebKeySet: Decodable, Sendable {
    struct Key: Decodable, Sendable {
        var kty: String
        var kid: String?
        var use: String?
        var alg: String?
        var n: String?
        var e: String?
        var crv: String?
        var x: String?
        var y: String?
    }

    var keys: [Key]

    /// The usable signing keys by id; keys for encryption, of other types or malformed are left out
    /// with the reason, so one odd key does not lock everyone out.
    func verificationKeys() -> (keys: [KeyEntry], skipped: [String]) {
        var usable: [KeyEntry] = []
        var skipped: [String] = []
        for key in keys {
            let name = key.kid ?? "(no kid)"
            if let use = key.use, use != "sig" {
                skipped.append("\(name): use \(use)")
                continue
            }
            do {
                let built: VerificationKey
                switch key.kty {
                case "RSA":
                    guard let n = key.n.flatMap({ Base64URL.decode($0) }), let e = key.e.flatMap({ Base64URL.decode($0) }) else { throw KeyImportError("RSA key without valid n/e") }
                    built = try VerificationKey(rsaModulus: n, exponent: e)
                case "EC":
                    guard key.crv == "P-256" else { throw KeyImportError("curve \(key.crv ?? "none") is not P-256") }
                    guard let x = key.x.flatMap({ Base64URL.decode($0) }), let y = key.y.flatMap({ Base64URL.decode($0) }) else { throw KeyImportError("EC key without valid x/y") }
                    built = try VerificationKey(p256X: x, y: y)
                default:
                    throw KeyImportError("key type \(key.kty) is not used (RSA and EC P-256 are)")
                }
                if let alg = key.alg, alg != built.algorithm.rawValue {
                    throw KeyImportError("alg \(alg) does not fit a \(key.kty) key here")
                }
                usable.append(KeyEntry(id: key.kid, key: built))
            } catch {
                skipped.append("\(name): \(error)")
            }
        }
        return (usable, skipped)
    }
}

/// A usable key and its id.
struct KeyEntry: Sendable {
    var id: String?
    var key: VerificationKey
}
