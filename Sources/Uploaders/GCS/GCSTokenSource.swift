import Foundation
import Logging
import Synchronization
import Transport

/// OAuth 2 access tokens for a service account: a signed JWT exchanged at the token endpoint,
/// cached until a minute before it expires.
public final class GCSTokenSource: Sendable {
    private struct Token {
        var value: String
        var expires: Double
    }

    private let key: ServiceAccountKey
    private let signer: RS256Signer
    /// Where tokens are minted: the override, else the key's `token_uri`.
    public let tokenEndpoint: String
    private let http: HTTPClient
    private let retry: RetryPolicy
    private let clock: @Sendable () -> Double
    private let cached = Mutex<Token?>(nil)

    /// Creates a source.
    /// - Parameters:
    ///   - key: the service-account key.
    ///   - tokenEndpoint: overrides the key's `token_uri` (tests, private endpoints).
    ///   - http: the client that posts the assertion.
    ///   - retry: how often the token request is repeated on 5xx and network faults.
    ///   - clock: seconds since the epoch (injected by tests).
    /// - Throws: `UploadError` when the key's `private_key` is not a usable RSA key.
    public init(
        key: ServiceAccountKey, tokenEndpoint: String? = nil, http: HTTPClient, retry: RetryPolicy = .standard,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.key = key
        self.signer = try RS256Signer(pem: key.privateKeyPEM, origin: key.origin)
        self.tokenEndpoint = tokenEndpoint ?? key.tokenURI
        self.http = http
        self.retry = retry
        self.clock = clock
    }

    /// A valid access token, minted when none is cached or the cached one expires within a minute.
    /// - Throws: `UploadError` naming the endpoint and the service's error (`invalid_grant: ...`).
    public func token() throws -> String {
        try cached.withLock { cached in
            let now = clock()
            if let token = cached, token.expires - 60 > now { return token.value }
            let fresh = try mint(now: now)
            cached = fresh
            return fresh.value
        }
    }

    /// Forgets the cached token (after the store answered 401).
    public func invalidate() {
        cached.withLock { $0 = nil }
    }

    private func mint(now: Double) throws -> Token {
        let assertion = try ServiceAccountJWT.make(key: key, audience: key.tokenURI, signer: signer, now: Int(now))
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"
        let request = HTTPRequest(
            method: "POST", url: tokenEndpoint, headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: .bytes(Array(form.utf8)), timeout: 60, maxResponseBytes: 1 << 20)
        // CloudSync reports only the message, so it names the endpoint, the account and the key file itself.
        let subject = key.origin
        let asking = "token endpoint \(tokenEndpoint) for service account \(key.clientEmail) (key \(key.origin))"
        let response: HTTPResponse
        do {
            response = try http.send(request, retry: retry)
        } catch let error as TransportError {
            throw UploadError(path: subject, "\(asking) gave no token: \(error); check --gcs-token-endpoint / the key's token_uri and the network", retryable: error.isRetryable)
        }
        guard response.isSuccess else {
            let error = response.error(for: request)
            throw UploadError(path: subject, "\(asking) refused the JWT: \(error); check that the key file is a current key of \(key.clientEmail)", retryable: error.isRetryable)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let token = object["access_token"] as? String, !token.isEmpty
        else {
            throw UploadError(path: subject, "\(asking) answered without an access_token: \(ServiceMessage.excerpt(of: response.body))")
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        return Token(value: token, expires: now + lifetime)
    }
}
