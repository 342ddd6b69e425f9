import Archive
import Foundation
import Logging
import PyBakCore
import Synchronization
import Transport

/// Reads stored copies back from an S3 bucket for `pybak restore` and `pybak verify`: a SigV4-signed GetObject
/// per copy, streamed through a bounded pipe (memory does not grow with the object). Network faults, 5xx and
/// 429 are retried with backoff, resuming with a `Range` request after the bytes already handed on. Keys are
/// the ones the upload ledger recorded.
public final class S3ObjectSource: StoredObjectSource, Sendable {
    /// The bucket read.
    public let bucket: String
    let client: S3Client
    private let logger: Logger
    private let sleep: @Sendable (Double) -> Void
    /// The failure that makes every further request pointless (refused credentials, the store unreachable).
    private let storeFailure = Mutex<String?>(nil)

    /// A source over one bucket.
    /// - Parameters:
    ///   - settings: endpoint, region, path style and timeout (the prefix is not used: keys come from the catalog).
    ///   - credentials: the key pair that signs.
    ///   - retry: how often one GET is repeated on 5xx, 429 and network faults.
    ///   - logger: where retries are reported.
    ///   - sleep: waits between attempts (injected by tests).
    /// - Throws: `UploadError` for a malformed endpoint.
    public init(
        settings: S3Target, credentials: AWSCredentials, retry: RetryPolicy = .standard, logger: Logger = Logger(label: "pybak.s3"),
        sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws {
        bucket = settings.bucket
        self.logger = logger
        self.sleep = sleep
        var options = TransportOptions(caFile: settings.caFile)
        options.stallTimeout = min(60, settings.timeoutSeconds)
        client = S3Client(
            endpoint: try S3Endpoint(settings), signer: SigV4Signer(credentials: credentials, region: settings.region, service: "s3"),
            http: HTTPClient(options: options, logger: logger), timeout: settings.timeoutSeconds, retry: retry)
    }

    public var location: String { "s3://\(bucket)" }

    /// Opens the object `key` (as the ledger recorded it) once its first bytes arrived.
    /// - Throws: `StoredObjectError.missing` on 404 NoSuchKey, `.unreadable` with S3's words otherwise.
    public func open(_ key: String) throws -> any StoredObjectReader {
        if let failure = storeFailure.withLock({ $0 }) {
            throw StoredObjectError.unreadable(location: location, path: key, reason: "not tried, the store failed before: \(failure)")
        }
        return try StreamedObjectReader { deliver, isStopped in try self.download(key, deliver: deliver, isStopped: isStopped) }
    }

    /// One GetObject, retried until the whole body was delivered or the reader stopped. A retry after bytes were
    /// handed on reads the object again and skips them (the SHA-256 check against the catalog catches an object
    /// that changed in between).
    private func download(_ key: String, deliver: (UnsafeRawBufferPointer) -> Bool, isStopped: @escaping @Sendable () -> Bool) throws {
        let emptyHash = Hex.encode(Digest.sha256([]))
        var delivered: Int64 = 0
        var attempt = 1
        while true {
            var request = client.signedRequest("GET", key: key, payloadHash: emptyHash)
            request.timeout = nil  // a large object takes as long as it takes; a stalled transfer still times out
            var skip = delivered
            var stopped = false
            let failure: TransportError
            do {
                let response = try withoutActuallyEscaping(deliver) { deliver in
                    try client.http.stream(request, isCancelled: isStopped) { piece in
                    var bytes = piece
                    if skip > 0 {
                        let dropped = Int(min(skip, Int64(bytes.count)))
                        skip -= Int64(dropped)
                        bytes = UnsafeRawBufferPointer(rebasing: bytes[dropped...])
                        if bytes.isEmpty { return true }
                    }
                    guard deliver(bytes) else {
                        stopped = true
                        return false
                    }
                    delivered += Int64(bytes.count)
                    return true
                    }
                }
                if stopped || response.isSuccess { return }
                failure = response.error(for: request)
            } catch let error as TransportError {
                if isStopped() { return }
                failure = error
            }
            guard failure.isRetryable, attempt < client.retry.maxAttempts else { throw objectError(failure, key: key) }
            let wait = client.retry.delay(afterAttempt: attempt, retryAfter: failure.retryAfter, random: Double.random(in: 0..<1))
            logger.warning("object read failed; retrying", metadata: [
                "object.url": "\(client.endpoint.objectURL(key))", "retry.attempt": "\(attempt)", "bytes.delivered": "\(delivered)", "error": "\(failure)",
            ])
            sleep(wait)
            attempt += 1
        }
    }

    /// A failed GET as a `StoredObjectError` naming bucket and key, S3's message and what to do.
    func objectError(_ error: TransportError, key: String) -> StoredObjectError {
        let service = error.serviceMessage ?? ""
        if error.status == 404 && !service.hasPrefix("NoSuchBucket") { return .missing(location: location, path: key) }
        var reason = "\(error)"
        var storeWide = true
        if let hint = S3Client.credentialsHint(service) {
            reason += hint
        } else if service.hasPrefix("NoSuchBucket") {
            reason += "; the bucket \(bucket) does not exist at this endpoint: check --s3-endpoint / spec.cloud.s3.endpoint"
        } else if error.status == 403 {
            reason += "; access to bucket \(bucket) was refused: check the credentials and their permissions (s3:GetObject)"
            storeWide = false
        } else if error.kind == .network || error.kind == .timeout || error.kind == .tls {
            reason += "; the store at \(client.endpoint.base) cannot be reached: check --s3-endpoint (spec.cloud.s3.endpoint) and the network"
        } else {
            storeWide = false
        }
        if storeWide { storeFailure.withLock { $0 = $0 ?? reason } }
        return .unreadable(location: location, path: key, reason: reason)
    }
}
