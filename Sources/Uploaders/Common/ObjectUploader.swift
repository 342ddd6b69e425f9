/// An object that reached a store, as the catalog records it.
public struct UploadedObject: Sendable, Equatable {
    /// `s3://bucket/key` or `gs://bucket/key`.
    public var url: String
    /// The object key (name) inside the bucket.
    public var key: String
    /// The store's entity tag (S3 ETag without quotes; GCS generation or md5Hash).
    public var etag: String

    /// Creates a record.
    public init(url: String, key: String, etag: String) {
        self.url = url
        self.key = key
        self.etag = etag
    }
}

/// Uploads stored copies to one object store. Implementations block the calling thread.
public protocol ObjectUploader: Sendable {
    /// The target's short name recorded in the catalog (`s3`, `gcs`).
    var target: String { get }
    /// The bucket name recorded in the catalog.
    var bucket: String { get }
    /// The object key for a stored copy's path relative to the destination folder (`prefix/<relative path>/<stored name>`).
    func key(forStoredPath storedPath: String) -> String
    /// Uploads a local file to `key`, verifying what the store received.
    /// - Throws: `UploadError` with the service's own message.
    func upload(file path: String, size: Int64, key: String) throws -> UploadedObject
}

extension ObjectUploader {
    /// Joins a prefix and a relative path with exactly one slash between them.
    public static func joinKey(prefix: String, _ path: String) -> String {
        var p = prefix
        while p.hasPrefix("/") { p.removeFirst() }
        while p.hasSuffix("/") { p.removeLast() }
        var rest = Substring(path)
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        return p.isEmpty ? String(rest) : "\(p)/\(rest)"
    }
}
