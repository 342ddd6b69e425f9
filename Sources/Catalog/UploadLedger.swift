/// Where each stored copy must go off-site, and whether it got there: the `uploads` table (migration 3)
/// and the `files.local_copy` column. A catalog that implements it can drive uploads; the pass refuses a
/// cloud target on a catalog that does not.
public protocol UploadLedger: AnyObject {
    /// Records that these stored copies must be uploaded (idempotent: an existing row for the file and target stays).
    /// - Parameter dropLocalCopy: marks the files' local copies `drop` (cloud only): they go once every upload succeeded,
    ///   and their sources are not removed before that.
    func queueUploads(_ intents: [UploadIntent], dropLocalCopy: Bool) throws
    /// Uploads of the policy still to do for a target, oldest first.
    func pendingUploads(policy: String, target: String) throws -> [PendingUpload]
    /// Records a finished upload of one object: one upload row for a `.gz` copy, the rows of every member
    /// for an archive (zip, tar.gz), which share the object. All rows change in one transaction.
    func recordUploaded(ids: [Int64], url: String, etag: String, at: String) throws
    /// Records a failed attempt at one object (its rows, as `recordUploaded`); they stay pending for the next pass.
    func recordUploadFailure(ids: [Int64], error: String) throws
    /// Stored files whose local copy is marked `drop` and whose uploads are all done.
    func localCopiesReadyToDrop(policy: String) throws -> [FileRecord]
    /// Where each of these stored copies is kept (`files.local_copy`); ids without a row are left out.
    /// `pybak verify` reads a copy removed after its upload from the object store instead of the destination.
    func localCopyStates(fileIds: [Int64]) throws -> [Int64: LocalCopyState]
    /// Sets `files.local_copy`.
    func setLocalCopy(_ state: LocalCopyState, ids: [Int64]) throws
    /// The uploads of the files a run catalogued.
    func uploads(runId: Int64) throws -> [UploadRecord]
    /// The uploads of one stored copy (a file row of kind `stored`), one per target; restore and verify read
    /// the bucket and key from here rather than recomputing them.
    func uploads(fileId: Int64) throws -> [UploadRecord]
}

/// Whether a stored copy stays in the destination folder.
public enum LocalCopyState: String, Sendable, Codable {
    /// Kept (the default).
    case kept
    /// To be removed once every upload of it succeeded (cloud only).
    case drop
    /// Removed after its uploads succeeded; the object store holds the only copy.
    case removed
}

/// A stored copy that must reach a target.
public struct UploadIntent: Sendable, Equatable {
    public var fileId: Int64
    /// `s3`, `gcs`.
    public var target: String
    public var bucket: String
    public var key: String

    public init(fileId: Int64, target: String, bucket: String, key: String) {
        self.fileId = fileId
        self.target = target
        self.bucket = bucket
        self.key = key
    }
}

/// An upload still to do, with its file row.
public struct PendingUpload: Sendable, Equatable {
    /// The upload row id.
    public var id: Int64
    public var file: FileRecord
    public var target: String
    public var bucket: String
    public var key: String
    /// Failed attempts so far.
    public var attempts: Int
}

/// A row of `uploads`, for reports.
public struct UploadRecord: Sendable, Equatable, Codable {
    public var fileId: Int64
    public var sourcePath: String
    public var target: String
    public var bucket: String
    public var key: String
    /// `pending` or `uploaded`.
    public var state: String
    /// `s3://bucket/key` once uploaded.
    public var url: String?
    public var etag: String?
    public var attempts: Int
    /// The last failure, while pending.
    public var lastError: String?
}
