import Foundation

/// Multipart uploads kept across passes, so a pass killed in the middle of a large upload is finished by the
/// next pass in the same upload (only the parts the bucket does not hold are sent) instead of leaving its parts
/// stored, unlisted and billed. One small JSON file per object in a folder (`DEST/.pybak/s3-uploads`), named by
/// the SHA-256 of bucket and key. The UploadId is saved right after CreateMultipartUpload and removed once the
/// upload is completed or aborted.
public struct S3UploadStore: Sendable {
    /// A saved multipart upload.
    struct Saved: Codable, Equatable {
        var uploadId: String
        var bucket: String
        var key: String
        /// Size of the file being sent and the part size it was cut into: another size is other content.
        var size: Int64
        var partSize: Int64
        /// Seconds since 1970 when the upload was created.
        var startedAt: Double
    }

    let files: UploadStateFiles
    /// The folder holding the upload files.
    public var folder: String { files.folder }

    /// A store in `folder` (created when the first upload is saved).
    public init(folder: String) {
        files = UploadStateFiles(folder: folder)
    }

    /// The upload saved for this object, whatever its content (the caller compares size and part size).
    func load(bucket: String, key: String) -> Saved? {
        guard let saved = files.read(Saved.self, bucket: bucket, name: key), saved.bucket == bucket, saved.key == key else { return nil }
        return saved
    }

    /// Saves an upload just created.
    /// - Throws: the file system's error.
    func save(_ saved: Saved) throws {
        try files.write(saved, bucket: saved.bucket, name: saved.key)
    }

    /// Forgets the upload of an object (completed, aborted or gone).
    func remove(bucket: String, key: String) {
        files.remove(bucket: bucket, name: key)
    }

    /// The upload file of an object.
    func path(bucket: String, key: String) -> String { files.path(bucket: bucket, name: key) }
}
