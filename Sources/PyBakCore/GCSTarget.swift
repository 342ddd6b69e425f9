/// A Google Cloud Storage bucket as `spec.cloud.gcs` and the `--gcs-*` flags describe it.
public struct GCSTarget: Sendable, Equatable {
    /// The bucket name.
    public var bucket: String
    /// Object-name prefix; names are `prefix/<relative path>/<stored name>`.
    public var prefix: String
    /// The JSON API base URL, `https://storage.googleapis.com` unless overridden (emulators, private endpoints).
    public var endpoint: String
    /// The service-account JSON key file (a mounted Secret, `GOOGLE_APPLICATION_CREDENTIALS`).
    public var credentialsFile: String
    /// The OAuth 2 token endpoint; nil for the key's own `token_uri`.
    public var tokenEndpoint: String?
    /// Files below this size go up in one `uploadType=multipart` request, others as resumable uploads (default 8 MiB).
    public var multipartThreshold: Int64
    /// Bytes sent per resumable-upload request: a multiple of 256 KiB (default 16 MiB).
    public var chunkSize: Int64
    /// Seconds allowed for one request (one object or one chunk), default 300.
    public var timeoutSeconds: Double
    /// A PEM bundle of trusted CAs for the endpoints.
    public var caFile: String?

    /// Creates a target with the defaults above.
    public init(
        bucket: String, prefix: String = "", endpoint: String = GCSTarget.defaultEndpoint, credentialsFile: String,
        tokenEndpoint: String? = nil, multipartThreshold: Int64 = 8 << 20, chunkSize: Int64 = 16 << 20, timeoutSeconds: Double = 300,
        caFile: String? = nil
    ) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.credentialsFile = credentialsFile
        self.tokenEndpoint = tokenEndpoint
        self.multipartThreshold = multipartThreshold
        self.chunkSize = chunkSize
        self.timeoutSeconds = timeoutSeconds
        self.caFile = caFile
    }

    /// Google's JSON API.
    public static let defaultEndpoint = "https://storage.googleapis.com"
    /// Resumable-upload chunks must be multiples of this (256 KiB), but for the last.
    public static let chunkGranularity: Int64 = 256 << 10
}
