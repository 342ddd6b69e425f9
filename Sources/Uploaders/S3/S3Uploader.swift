import Archive
import Foundation
import Logging
import PyBakCore
import Transport

/// Uploads stored copies to an S3 bucket: PutObject below the multipart threshold, a multipart upload
/// (parts streamed from disk, aborted on failure) above it. Every request carries `Content-MD5` and the
/// payload's SHA-256 (`x-amz-content-sha256`), which S3 verifies, and the returned ETag is checked against the MD5.
public struct S3Uploader: ObjectUploader {
    public let target = "s3"
    public var bucket: String { settings.bucket }
    /// The resolved settings.
    public let settings: S3Target
    let client: S3Client
    let logger: Logger

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
        return try checkedETag(response, expected: Hex.encode(digests.md5), object: key)
    }

    /// The part size for a file: the configured size, raised so that no upload needs more than 10,000 parts.
    static func partSize(for size: Int64, configured: Int64) -> Int64 {
        let needed = (size + 9_999) / 10_000
        return max(S3Target.minimumPartSize, configured, needed)
    }

    private func multipart(file path: String, size: Int64, key: String) throws -> String {
        let emptyHash = Hex.encode(Digest.sha256([]))
        let created = try client.send("POST", key: key, query: [(name: "uploads", value: "")], headers: objectHeaders(key), payloadHash: emptyHash)
        guard let uploadId = S3XML.element("UploadId", in: created.text), !uploadId.isEmpty else {
            throw UploadError(path: client.endpoint.objectURL(key), "the store answered CreateMultipartUpload without an UploadId: \(ServiceMessage.excerpt(of: created.body))")
        }
        do {
            let partSize = Self.partSize(for: size, configured: settings.partSize)
            var etags: [String] = []
            var md5s: [UInt8] = []
            var offset: Int64 = 0
            while offset < size {
                let length = min(partSize, size - offset)
                let digests = try Digest.ofFile(path, offset: offset, length: length)
                let response = try client.send(
                    "PUT", key: key, query: [(name: "partNumber", value: "\(etags.count + 1)"), (name: "uploadId", value: uploadId)],
                    headers: [(name: "Content-MD5", value: ByteText.base64(digests.md5))],
                    body: .file(path: path, offset: offset, length: length), payloadHash: Hex.encode(digests.sha256))
                etags.append(try checkedETag(response, expected: Hex.encode(digests.md5), object: "\(key) part \(etags.count + 1)"))
                md5s += digests.md5
                offset += length
            }
            let body = Array(S3XML.completeMultipartUpload(etags: etags).utf8)
            let completed = try client.send(
                "POST", key: key, query: [(name: "uploadId", value: uploadId)], headers: [(name: "Content-Type", value: "application/xml")],
                body: .bytes(body), payloadHash: Hex.encode(Digest.sha256(body)))
            // S3 may answer 200 and put the error in the body.
            if let code = S3XML.element("Code", in: completed.text), completed.text.contains("<Error>") {
                throw UploadError(path: client.endpoint.objectURL(key), "CompleteMultipartUpload failed: \(code): \(S3XML.element("Message", in: completed.text) ?? "")", retryable: true)
            }
            let expected = "\(Hex.encode(Digest.md5(md5s)))-\(etags.count)"
            let etag = S3XML.element("ETag", in: completed.text).map(S3XML.unquote) ?? ""
            guard etag.isEmpty || etag == expected else {
                throw UploadError(path: client.endpoint.objectURL(key), "the store's ETag \(etag) does not match the parts sent (\(expected)); the object is not trusted and is uploaded again next pass", retryable: true)
            }
            return etag.isEmpty ? expected : etag
        } catch {
            abort(key: key, uploadId: uploadId)
            throw error
        }
    }

    /// Aborts a multipart upload so its parts are not left stored (and billed).
    private func abort(key: String, uploadId: String) {
        do {
            _ = try client.send("DELETE", key: key, query: [(name: "uploadId", value: uploadId)], payloadHash: Hex.encode(Digest.sha256([])))
            logger.notice("multipart upload aborted", metadata: ["object.url": "\(client.endpoint.objectURL(key))"])
        } catch {
            logger.warning("could not abort a multipart upload; its parts stay until a lifecycle rule removes them", metadata: [
                "object.url": "\(client.endpoint.objectURL(key))", "upload.id": "\(uploadId)", "reason": "\(error)",
            ])
        }
    }

    /// The response's ETag, required to equal the MD5 sent (unless the bucket encrypts with KMS, whose ETags are not MD5s).
    private func checkedETag(_ response: HTTPResponse, expected: String, object: String) throws -> String {
        let etag = response.header("etag").map(S3XML.unquote) ?? ""
        let kms = response.header("x-amz-server-side-encryption")?.hasPrefix("aws:kms") ?? false
        guard etag == expected || kms || etag.isEmpty else {
            throw UploadError(path: client.endpoint.objectURL(object), "the store's ETag \(etag) is not the MD5 of the bytes sent (\(expected)); uploaded again next pass", retryable: true)
        }
        return etag.isEmpty ? expected : etag
    }
}
