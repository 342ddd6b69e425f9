import Archive
import Foundation
import Logging
import PyBakCore
import Transport

/// Uploads stored copies to an S3 bucket: PutObject below the multipart threshold, a multipart upload
/// (parts streamed from disk, resumed by the next pass after a kill or a retryable failure, aborted otherwise) above it. Every request carries `Content-MD5` and the
/// payload's SHA-256 (`x-amz-content-sha256`), which S3 verifies, and the returned ETag is checked against the MD5.
public struct S3Uploader: ObjectUploader {
    public let target = "s3"
    public var bucket: String { settings.bucket }
    /// The resolved settings.
    public let settings: S3Target
    let client: S3Client
    let logger: Logger
    /// Where multipart UploadIds are kept across passes; nil: a failed upload is aborted and a killed pass's parts stay.
    public var uploads: S3UploadStore?

    /// Creates an uploader.
    /// - Parameters:
    ///   - settings: bucket, endpoint, prefix and limits.
    ///   - credentials: the key pair that signs.
    ///   - retry: how often one request is repeated on 5xx, 429 and network faults.
    ///   - logger: where aborted uploads are reported.
    /// - Throws: `UploadError` for a malformed endpoint.
    public init(settings: S3Target, credentials: AWSCredentials, retry: RetryPolicy = .standard, logger: Logger = Logger(label: "pybak.s3")) throws {
        self.settings = settings
        self.logger = logger
        var options = TransportOptions(caFile: settings.caFile)
        options.stallTimeout = min(60, settings.timeoutSeconds)
        let http = HTTPClient(options: options, logger: logger)
        client = S3Client(
            endpoint: try S3Endpoint(settings), signer: SigV4Signer(credentials: credentials, region: settings.region, service: "s3"),
            http: http, timeout: settings.timeoutSeconds, retry: retry)
    }

    public func key(forStoredPath storedPath: String) -> String { Self.joinKey(prefix: settings.prefix, storedPath) }

    public func upload(file path: String, size: Int64, key: String) throws -> UploadedObject {
        let etag = size >= settings.multipartThreshold ? try multipart(file: path, size: size, key: key) : try putObject(file: path, size: size, key: key)
        return UploadedObject(url: client.endpoint.objectURL(key), key: key, etag: etag)
    }

    /// Headers every object upload sends.
    private func objectHeaders(_ key: String) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: StoredMediaType.of(key))]
        if let storageClass = settings.storageClass { headers.append((name: "x-amz-storage-class", value: storageClass)) }
        return headers
    }

    private func putObject(file path: String, size: Int64, key: String) throws -> String {
        let digests = try Digest.ofFile(path, length: size)
        let response = try client.send(
            "PUT", key: key, headers: objectHeaders(key) + [(name: "Content-MD5", value: ByteText.base64(digests.md5))],
            body: .file(path: path, offset: 0, length: size), payloadHash: Hex.encode(digests.sha256))
        return try Self.checkedETag(response, expected: Hex.encode(digests.md5), object: client.endpoint.objectURL(key))
    }

    /// The part size for a file: the configured size, raised so that no upload needs more than 10,000 parts.
    static func partSize(for size: Int64, configured: Int64) -> Int64 {
        let needed = (size + 9_999) / 10_000
        return max(S3Target.minimumPartSize, configured, needed)
    }

    private func multipart(file path: String, size: Int64, key: String) throws -> String {
        try S3MultipartUpload(
            client: client, bucket: settings.bucket, file: path, size: size, key: key, partSize: Self.partSize(for: size, configured: settings.partSize),
            objectHeaders: objectHeaders(key), store: uploads, logger: logger
        ).run()
    }

    /// The response's ETag, required to equal the MD5 sent (unless the bucket encrypts with KMS, whose ETags are not MD5s).
    static func checkedETag(_ response: HTTPResponse, expected: String, object: String) throws -> String {
        let etag = response.header("etag").map(S3XML.unquote) ?? ""
        let kms = response.header("x-amz-server-side-encryption")?.hasPrefix("aws:kms") ?? false
        guard etag == expected || kms || etag.isEmpty else {
            throw UploadError(path: object, "the store's ETag \(etag) is not the MD5 of the bytes sent (\(expected)); uploaded again next pass", retryable: true)
        }
        return etag.isEmpty ? expected : etag
    }
}
