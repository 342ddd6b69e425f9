import Foundation
import PyBakCore
import Transport

/// Authorized requests to the GCS JSON API over Transport's HTTP client; failures become `UploadError`s
/// naming the object, with Google's own message and what to do.
struct GCSClient: Sendable {
    let target: GCSTarget
    let tokens: GCSTokenSource
    let http: HTTPClient
    let retry: RetryPolicy

    /// `gs://bucket/name`, as the catalog records it.
    func objectURL(_ name: String) -> String { "gs://\(target.bucket)/\(name)" }

    /// The upload URL for `uploadType` (`multipart`, `resumable`).
    func uploadURL(_ uploadType: String, name: String) -> String {
        "\(target.endpoint)/upload/storage/v1/b/\(Self.encode(target.bucket))/o?uploadType=\(uploadType)&name=\(Self.encode(name))"
    }

    /// The metadata URL of an object (add `alt=media` for its bytes).
    func objectURL(forName name: String) -> String {
        "\(target.endpoint)/storage/v1/b/\(Self.encode(target.bucket))/o/\(Self.encode(name))"
    }

    /// Sends one request with a bearer token; a 401 mints a new token and tries once more.
    /// - Parameters:
    ///   - request: the request without `Authorization`.
    ///   - name: the object concerned, for messages.
    ///   - retry: overrides the client's policy (resumable chunks handle their own).
    ///   - accept: statuses taken as an answer besides 2xx (308 for resumable chunks, 404 for lookups).
    /// - Throws: `UploadError`; `TransportError`s become retryable or not as their kind says.
    func send(_ request: HTTPRequest, name: String, retry: RetryPolicy? = nil, accept: Set<Int> = []) throws -> HTTPResponse {
        var response = try attempt(request, name: name, retry: retry)
        if response.status == 401 {
            tokens.invalidate()
            response = try attempt(request, name: name, retry: retry)
        }
        guard response.isSuccess || accept.contains(response.status) else {
            throw uploadError(response.error(for: request), name: name)
        }
        return response
    }

    private func attempt(_ request: HTTPRequest, name: String, retry: RetryPolicy?) throws -> HTTPResponse {
        var authorized = request
        authorized.headers.append((name: "Authorization", value: "Bearer \(try tokens.token())"))
        do {
            return try http.send(authorized, retry: retry ?? self.retry)
        } catch let error as TransportError {
            throw uploadError(error, name: name)
        }
    }

    /// Turns a transport failure into an error naming the object, Google's words, and what to do.
    func uploadError(_ error: TransportError, name: String) -> UploadError {
        var message = "\(error)"
        switch error.status {
        case 401: message += "; the token was refused: check the service-account key (--gcs-credentials-file)"
        case 403: message += "; the service account may not write to bucket \(target.bucket): grant it roles/storage.objectCreator (or objectAdmin)"
        case 404: message += "; create bucket \(target.bucket) or fix --gcs-bucket / spec.cloud.gcs.bucket"
        default:
            if error.kind == .network || error.kind == .timeout { message += "; check --gcs-endpoint and the network; the upload is retried on the next pass" }
        }
        return UploadError(path: objectURL(name), message, retryable: error.isRetryable)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (object names in paths and queries).
    static func encode(_ text: String) -> String { SigV4Signer.encode(text, keepSlash: false) }
}
