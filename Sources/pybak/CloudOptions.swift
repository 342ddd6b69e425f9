import ArgumentParser
import PyBakCore

/// The upload flags of `run` and `daemon` (spec.cloud.s3, spec.cloud.gcs, spec.keepLocalCopy).
struct CloudOptions: ParsableArguments {
    @Option(name: .customLong("s3-bucket"), help: "Upload each stored copy to this S3 bucket (spec.cloud.s3.bucket). Env: PYBAK_S3_BUCKET.")
    var s3Bucket: String?

    @Option(name: .customLong("s3-region"), help: "Signing region (default AWS_REGION, AWS_DEFAULT_REGION, us-east-1; spec.cloud.s3.region).")
    var s3Region: String?

    @Option(name: .customLong("s3-endpoint"), help: "URL of an S3-compatible store, e.g. http://127.0.0.1:9000 (spec.cloud.s3.endpoint).")
    var s3Endpoint: String?

    @Option(name: .customLong("s3-prefix"), help: "Key prefix: keys are PREFIX/<relative path>/<stored name> (spec.cloud.s3.prefix).")
    var s3Prefix: String?

    @Flag(name: .customLong("s3-path-style"), inversion: .prefixedNo, help: "Path-style URLs (endpoint/bucket/key) for MinIO-style stores (spec.cloud.s3.pathStyle).")
    var s3PathStyle: Bool?

    @Option(name: .customLong("s3-storage-class"), help: "STANDARD, STANDARD_IA, GLACIER_IR, ... (spec.cloud.s3.storageClass).")
    var s3StorageClass: String?

    @Option(name: .customLong("s3-credentials-dir"), help: "Folder holding files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a mounted Secret; spec.cloud.s3.credentialsDir).")
    var s3CredentialsDir: String?

    @Option(name: .customLong("gcs-bucket"), help: "Upload each stored copy to this Google Cloud Storage bucket (spec.cloud.gcs.bucket). Env: PYBAK_GCS_BUCKET.")
    var gcsBucket: String?

    @Option(name: .customLong("gcs-prefix"), help: "Object-name prefix: names are PREFIX/<relative path>/<stored name> (spec.cloud.gcs.prefix).")
    var gcsPrefix: String?

    @Option(name: .customLong("gcs-credentials-file"), help: "Service-account JSON key (spec.cloud.gcs.credentialsFile). Env: PYBAK_GCS_CREDENTIALS_FILE, else GOOGLE_APPLICATION_CREDENTIALS.")
    var gcsCredentialsFile: String?

    @Option(name: .customLong("gcs-endpoint"), help: "JSON API URL (default https://storage.googleapis.com; spec.cloud.gcs.endpoint), e.g. an emulator.")
    var gcsEndpoint: String?

    @Option(name: .customLong("gcs-token-endpoint"), help: "OAuth 2 token endpoint (default: the key's token_uri; spec.cloud.gcs.tokenEndpoint).")
    var gcsTokenEndpoint: String?

    @Flag(name: .customLong("keep-local-copy"), inversion: .prefixedNo, help: "Keep the stored copy in the destination after upload (default); --no-keep-local-copy keeps only the cloud copy (spec.keepLocalCopy).")
    var keepLocalCopy: Bool?

    /// The values given, for `SettingsResolver`.
    var flags: CloudFlags {
        var flags = CloudFlags()
        flags.s3Bucket = s3Bucket
        flags.s3Region = s3Region
        flags.s3Endpoint = s3Endpoint
        flags.s3Prefix = s3Prefix
        flags.s3PathStyle = s3PathStyle
        flags.s3StorageClass = s3StorageClass
        flags.s3CredentialsDir = s3CredentialsDir
        flags.gcsBucket = gcsBucket
        flags.gcsPrefix = gcsPrefix
        flags.gcsCredentialsFile = gcsCredentialsFile
        flags.gcsEndpoint = gcsEndpoint
        flags.gcsTokenEndpoint = gcsTokenEndpoint
        flags.keepLocalCopy = keepLocalCopy
        return flags
    }
}
