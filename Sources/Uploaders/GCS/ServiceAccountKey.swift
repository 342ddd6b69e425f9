import Foundation

/// The fields PyBak uses from a Google service-account JSON key file.
public struct ServiceAccountKey: Sendable, Equatable {
    /// The service account's e-mail (`client_email`), the JWT's issuer.
    public var clientEmail: String
    /// The RSA private key as PEM text (`private_key`).
    public var privateKeyPEM: String
    /// The key's id (`private_key_id`), sent as the JWT's `kid` when present.
    public var privateKeyId: String?
    /// The OAuth 2 token endpoint (`token_uri`, default `https://oauth2.googleapis.com/token`).
    public var tokenURI: String
    /// The file it was read from, for messages.
    public var origin: String

    /// Google's token endpoint, used when the key names none.
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Reads and checks a key file.
    /// - Throws: `UploadError` naming the file and the field that is missing or malformed.
    public static func load(file path: String) throws -> ServiceAccountKey {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw UploadError(path: path, "cannot read the GCS service-account key file (\(error.localizedDescription)); check --gcs-credentials-file / GOOGLE_APPLICATION_CREDENTIALS")
        }
        return try parse(data, origin: path)
    }

    /// Parses key JSON.
    /// - Throws: `UploadError` naming `origin` and the field.
    public static func parse(_ data: Data, origin: String) throws -> ServiceAccountKey {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw UploadError(path: origin, "is not a JSON object; download a service-account key as JSON (IAM → Service accounts → Keys → Add key)")
        }
        if let type = object["type"] as? String, type != "service_account" {
            throw UploadError(path: origin, "field type is '\(type)', not 'service_account'; PyBak needs a service-account key, not user or external-account credentials")
        }
        func field(_ name: String) throws -> String {
            guard let value = object[name] else { throw UploadError(path: origin, "field \(name) is missing; it is not a complete service-account key") }
            guard let text = value as? String, !text.isEmpty else { throw UploadError(path: origin, "field \(name) must be a non-empty string") }
            return text
        }
        let email = try field("client_email")
        let pem = try field("private_key")
        guard pem.contains("-----BEGIN") else {
            throw UploadError(path: origin, "field private_key is not a PEM key (no -----BEGIN line)")
        }
        var tokenURI = defaultTokenURI
        if object["token_uri"] != nil { tokenURI = try field("token_uri") }
        guard tokenURI.hasPrefix("https://") || tokenURI.hasPrefix("http://") else {
            throw UploadError(path: origin, "field token_uri '\(tokenURI)' is not an http(s) URL")
        }
        return ServiceAccountKey(clientEmail: email, privateKeyPEM: pem, privateKeyId: object["private_key_id"] as? String, tokenURI: tokenURI, origin: origin)
    }
}
