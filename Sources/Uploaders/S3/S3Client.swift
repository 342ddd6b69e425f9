import Foundation
import Logging
import PyBakCore
import Transport

/// Signed S3 requests over Transport's HTTP client; failures become `UploadError`s with S3's own message.
struct S3Client: Sendable {
    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let http: HTTPClient
    let timeout: Double
    let retry: RetryPolicy

    /// Sends one signed request for `key` and requires a 2xx answer.
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - key: the object key.
    ///   - query: raw query parameters (`uploads`, `partNumber`, `uploadId`).
    ///   - headers: extra headers to sign and send.
    ///   - body: what to send.
    ///   - payloadHash: hex SHA-256 of the body.
    func send(
        _ method: String, key: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: HTTPRequest.Body = .none, payloadHash: String
    ) throws -> HTTPResponse {
        let request = signedRequest(method, key: key, query: query, headers: headers, body: body, payloadHash: payloadHash)
        let response = try answer(to: request, key: key)
        guard response.isSuccess else { throw Self.uploadError(response.error(for: request), object: endpoint.objectURL(key)) }
        return response
    }

    /// Sends a signed request for `key` and returns whatever the store answered (a 4xx included).
    /// - Throws: `UploadError` when no answer came (network, timeout, retries exhausted).
    func answer(to request: HTTPRequest, key: String) throws -> HTTPResponse {
        do {
            return try http.send(request, retry: retry)
        } catch let error as TransportError {
            throw Self.uploadError(error, object: endpoint.objectURL(key))
        }
    }

    /// A request for `key`, signed now (SigV4), with the `Host` and `x-amz-content-sha256` headers it needs.
    func signedRequest(
        _ method: String, key: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: HTTPRequest.Body = .none, payloadHash: String
    ) -> HTTPRequest {
        let path = endpoint.path(forKey: key)
        var all = headers
        all.append((name: "Host", value: endpoint.host))
        all.append((name: "x-amz-content-sha256", value: payloadHash))
        let signed = signer.sign(
            SigV4Signer.Request(method: method, encodedPath: path, query: query, headers: all, payloadHash: payloadHash), at: Date())
        let queryText = SigV4Signer.canonicalQuery(query)
        let url = endpoint.base + path + (query.isEmpty ? "" : "?\(queryText)")
        return HTTPRequest(method: method, url: url, headers: signed, body: body, timeout: timeout, maxResponseBytes: 1 << 20)
    }

    /// Turns a transport failure into an error naming the object, S3's words, and what to do.
    static func uploadError(_ error: TransportError, object: String) -> UploadError {
        var message = "\(error)"
        let service = error.serviceMessage ?? ""
        if let hint = credentialsHint(service) {
            message += hint
        } else if service.hasPrefix("NoSuchBucket") {
            message += "; create the bucket or fix --s3-bucket / spec.cloud.s3.bucket"
        } else if error.kind == .network || error.kind == .timeout {
            message += "; check --s3-endpoint and the network; the upload is retried on the next pass"
        }
        return UploadError(path: object, message, retryable: error.isRetryable)
    }

    /// What to check when S3 refused the credentials (`SignatureDoesNotMatch`, `InvalidAccessKeyId`); nil otherwise.
    static func credentialsHint(_ serviceMessage: String) -> String? {
        if serviceMessage.hasPrefix("SignatureDoesNotMatch") {
            return "; the secret access key does not match the access key id: check AWS_SECRET_ACCESS_KEY or the credentials file"
        }
        if serviceMessage.hasPrefix("InvalidAccessKeyId") {
            return "; the store does not know this access key id: check AWS_ACCESS_KEY_ID or the credentials file"
        }
        return nil
    }
}
