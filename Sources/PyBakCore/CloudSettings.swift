/// Where stored copies are uploaded after each batch is committed locally, and what stays behind.
public struct CloudSettings: Sendable, Equatable {
    /// The S3 (or S3-compatible) target, if any.
    public var s3: S3Target?
    /// The Google Cloud Storage target, if any.
    public var gcs: GCSTarget?
    /// Whether the stored copy stays in the destination folder after it was uploaded (`spec.keepLocalCopy`,
    /// default true). False ("cloud only") needs a target; the local copy and the source go only after the upload succeeded.
    public var keepLocalCopy: Bool

    /// Creates settings.
    public init(s3: S3Target? = nil, gcs: GCSTarget? = nil, keepLocalCopy: Bool = true) {
        self.s3 = s3
        self.gcs = gcs
        self.keepLocalCopy = keepLocalCopy
    }

    /// No upload.
    public static let none = CloudSettings()

    /// Whether any target is configured.
    public var hasTargets: Bool { s3 != nil || gcs != nil }
}

/// An S3 bucket (AWS or an S3-compatible store) as `spec.cloud.s3` and the `--s3-*` flags describe it.
public struct S3Target: Sendable, Equatable {
    /// The bucket name.
    public var bucket: String
    /// The signing region (default `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`).
    public var region: String
    /// `https://host[:port]` of an S3-compatible store; nil for AWS (`https://s3.<region>.amazonaws.com`).
    public var endpoint: String?
    /// Key prefix; keys are `prefix/<relative path>/<stored name>`.
    public var prefix: String
    /// Path-style URLs (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`).
    public var pathStyle: Bool
    /// `STANDARD`, `STANDARD_IA`, `GLACIER_IR`, ... (nil: the bucket's default).
    public var storageClass: String?
    /// A folder holding the files `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and optionally `AWS_SESSION_TOKEN`),
    /// e.g. a mounted Kubernetes Secret; nil to use the environment or the shared credentials file.
    public var credentialsDir: String?
    /// The profile of the shared credentials file (default `AWS_PROFILE`, else `default`).
    public var profile: String?
    /// Files at least this large go up as multipart uploads (default 16 MiB).
    public var multipartThreshold: Int64
    /// Part size of multipart uploads (default 16 MiB, at least 5 MiB).
    public var partSize: Int64
    /// Seconds allowed for one request (one object or one part), default 300.
    public var timeoutSeconds: Double
    /// A PEM bundle of trusted CAs for the endpoint.
    public var caFile: String?

    /// Creates a target with the defaults above.
    public init(
        bucket: String, region: String = "us-east-1", endpoint: String? = nil, prefix: String = "", pathStyle: Bool = false,
        storageClass: String? = nil, credentialsDir: String? = nil, profile: String? = nil, multipartThreshold: Int64 = 16 << 20,
        partSize: Int64 = 16 << 20, timeoutSeconds: Double = 300, caFile: String? = nil
    ) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.prefix = prefix
        self.pathStyle = pathStyle
        self.storageClass = storageClass
        self.credentialsDir = credentialsDir
        self.profile = profile
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.timeoutSeconds = timeoutSeconds
        self.caFile = caFile
    }

    /// The smallest part S3 accepts (but for the last).
    public static let minimumPartSize: Int64 = 5 << 20
}
