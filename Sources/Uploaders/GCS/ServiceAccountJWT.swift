import Foundation
import PyBakCore

/// The signed assertion a service account sends to Google's token endpoint (RFC 7523 JWT bearer grant).
public enum ServiceAccountJWT {
    /// The scope PyBak asks for: read and write objects, nothing else.
    public static let scope = "https://www.googleapis.com/auth/devstorage.read_write"

    /// A compact JWT `header.claims.signature`, RS256-signed, valid for an hour from `now`.
    /// - Parameters:
    ///   - key: the service account (`client_email` is the issuer, `private_key_id` the `kid`).
    ///   - audience: the token endpoint the assertion is for.
    ///   - signer: the key's signer.
    ///   - now: seconds since the epoch.
    public static func make(key: ServiceAccountKey, audience: String, signer: RS256Signer, now: Int) throws -> String {
        var header: [String: Any] = ["alg": "RS256", "typ": "JWT"]
        if let kid = key.privateKeyId { header["kid"] = kid }
        let claims: [String: Any] = ["iss": key.clientEmail, "scope": scope, "aud": audience, "iat": now, "exp": now + 3600]
        let input = try segment(header) + "." + segment(claims)
        return input + "." + Base64URL.encode(try signer.sign(Array(input.utf8)))
    }

    private static func segment(_ object: [String: Any]) throws -> String {
        Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])))
    }
}
