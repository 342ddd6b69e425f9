import Foundation
import Logging
import PyBakCore
import Transport

/// Uploads stored copies to a Google Cloud Storage bucket through the JSON API: one `uploadType=multipart`
/// request below the threshold, a resumable upload (chunks streamed from disk, resumed after a dropped
/// connection) above it. The object's CRC-32C goes in its metadata, so GCS refuses bytes that do not match,
/// and the size and CRC-32C in the answer are checked again.
public struct GCSUploader: ObjectUploader {
    public let target = "gcs"
    public var bucket: String { settings.bucket }
    /// The resolved settings.
    public let settings: GCSTarget
    let client: GCSClient
    let logger: Logger
    let sleeper: @Sendable (Double) -> Void
    /// Where resumable sessions are kept across passes; nil: a killed pass's upload starts over.
    public var sessions: GCSSessionStore?

    /// Creates an uploader.
    /// - Parameters:
    ///   - settings: bucket, endpoint, prefix and limits.
    ///   - tokens: mints bearer tokens for the service account.
    ///   - http: the client requests go through.
    ///   - retry: how often one request is repeated on 5xx, 429 and network faults.
    ///   - logger: where resumed uploads are reported.
    public init(
        settings: GCSTarget, tokens: GCSTokenSource, http: HTTPClient, retry: RetryPolicy = .standard, logger: Logger = Logger(label: "pybak.gcs"),
        sleeper: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) {
        self.settings = settings
        self.logger = logger
        self.sleeper = sleeper
        client = GCSClient(target: settings, tokens: tokens, http: http, retry: retry)
    }

    /// Builds an uploader from settings: reads the key file and prepares the token source.
    /// - Throws: `UploadError` naming the key file and field when the key is unusable.
    public static func make(settings: GCSTarget, retry: RetryPolicy = .standard, logger: Logger = Logger(label: "pybak.gcs")) throws -> GCSUploader {
        let key = try ServiceAccountKey.load(file: settings.credentialsFile)
        let http = HTTPClient(options: options(for: settings), logger: logger)
        let tokens = try GCSTokenSource(key: key, tokenEndpoint: settings.tokenEndpoint, http: http, retry: retry)
        return GCSUploader(settings: settings, tokens: tokens, http: http, retry: retry, logger: logger)
    }

    /// Connection settings for a target: its CA bundle, and a stall limit within the request timeout.
    static func options(for settings: GCSTarget) -> TransportOptions {
        var options = TransportOptions(caFile: settings.caFile)
        options.stallTimeout = min(60, settings.timeoutSeconds)
        return options
    }

    public func key(forStoredPath storedPath: String) -> String { Self.joinKey(prefix: settings.prefix, storedPath) }

    public func upload(file path: String, size: Int64, key: String) throws -> UploadedObject {
        let crc = CRC32C.base64(try CRC32C.ofFile(path, length: size))
        let stored = size >= settings.multipartThreshold && size > 0
            ? try resumable(file: path, size: size, name: key, crc32c: crc) : try multipart(file: path, size: size, name: key, crc32c: crc)
        try stored.verify(size: size, crc32c: crc, object: client.objectURL(key))
        return UploadedObject(url: client.objectURL(key), key: key, etag: stored.generation)
    }

    /// The object resource sent as metadata: name, type and the CRC-32C GCS verifies.
    private func metadata(name: String, crc32c: String) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: ["name": name, "contentType": StoredMediaType.of(name), "crc32c": crc32c], options: [.sortedKeys]))
    }

    private func multipart(file path: String, size: Int64, name: String, crc32c: String) throws -> GCSObjectResource {
        let body = GCSMultipartBody(metadata: try metadata(name: name, crc32c: crc32c), mediaType: StoredMediaType.of(name))
        let request = HTTPRequest(
            method: "POST", url: client.uploadURL("multipart", name: name), headers: [(name: "Content-Type", value: body.contentType)],
            body: .framedFile(head: body.head, path: path, offset: 0, length: size, tail: body.tail), timeout: settings.timeoutSeconds,
            maxResponseBytes: 1 << 20)
        let response = try client.send(request, name: name)
        return try GCSObjectResource.parse(response.body, object: client.objectURL(name))
    }

    private func resumable(file path: String, size: Int64, name: String, crc32c: String) throws -> GCSObjectResource {
        let start = HTTPRequest(
            method: "POST", url: client.uploadURL("resumable", name: name),
            headers: [
                (name: "Content-Type", value: "application/json; charset=UTF-8"), (name: "X-Upload-Content-Type", value: StoredMediaType.of(name)),
                (name: "X-Upload-Content-Length", value: "\(size)"),
            ],
            body: .bytes(try metadata(name: name, crc32c: crc32c)), timeout: settings.timeoutSeconds, maxResponseBytes: 1 << 20)
        let bucket = settings.bucket
        if let saved = sessions?.load(bucket: bucket, name: name, size: size, crc32c: crc32c) {
            do {
                return try finish(session(saved.session, file: path, size: size, name: name).run(resuming: true), name: name)
            } catch let gone as GCSSessionGone {
                sessions?.remove(bucket: bucket, name: name)
                logger.notice("saved resumable session is gone; starting a new one", metadata: [
                    "object.url": "\(client.objectURL(name))", "http.status": "\(gone.status)",
                ])
            } catch let error as UploadError {
                if !error.isRetryable { sessions?.remove(bucket: bucket, name: name) }
                throw error
            }
        }
        let started = try client.send(start, name: name)
        guard let session = started.header("location"), session.hasPrefix("http") else {
            throw UploadError(path: client.objectURL(name), "the store started a resumable upload without a session URL (Location): \(ServiceMessage.excerpt(of: started.body))", retryable: true)
        }
        do {
            try sessions?.save(.init(session: session, bucket: bucket, name: name, size: size, crc32c: crc32c, startedAt: Date().timeIntervalSince1970))
        } catch {
            logger.warning("could not save the resumable session; a killed pass would start this upload over", metadata: [
                "object.url": "\(client.objectURL(name))", "reason": "\(error)",
            ])
        }
        do {
            return try finish(self.session(session, file: path, size: size, name: name).run(), name: name)
        } catch let error as UploadError {
            // A retryable failure keeps the session for the next pass; a refusal starts afresh.
            if !error.isRetryable { sessions?.remove(bucket: bucket, name: name) }
            throw error
        }
    }

    private func session(_ uri: String, file path: String, size: Int64, name: String) -> GCSResumableUpload {
        GCSResumableUpload(client: client, session: uri, file: path, size: size, name: name, chunkSize: settings.chunkSize,
            timeout: settings.timeoutSeconds, logger: logger, sleeper: sleeper)
    }

    /// The session is done: its saved state goes.
    private func finish(_ resource: GCSObjectResource, name: String) -> GCSObjectResource {
        sessions?.remove(bucket: settings.bucket, name: name)
        return resource
    }
}
