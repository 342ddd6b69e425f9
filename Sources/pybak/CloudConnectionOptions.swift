import ArgumentParser
import PyBakCore

/// How to reach and sign in to the object stores: the cloud flags that both uploading (`run`, `daemon`) and
/// reading back (`restore`, `verify`) honour. Where to upload (bucket, prefix, storage class) and whether the
/// local copy stays are `CloudOptions`, which only the commands that upload show.
struct CloudConnectionOptions: ParsableArguments {
    @Option(name: .customLong("s3-region"), help: "Signing region (default AWS_REGION, AWS_DEFAULT_REGION, us-east-1; spec.cloud.s3.region).")
    var s3Region: String?

    @Option(name: .customLong("s3-endpoint"), help: "URL of an S3-compatible store, e.g. http://127.0.0.1:9000 (spec.cloud.s3.endpoint).")
    var s3Endpoint: String?

    @Flag(name: .customLong("s3-path-style"), inversion: .prefixedNo, help: "Path-style URLs (endpoint/bucket/key) for MinIO-style stores (spec.cloud.s3.pathStyle).")
    var s3PathStyle: Bool?

    @Option(name: .customLong("s3-credentials-dir"), help: "Folder holding files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a mounted Secret; spec.cloud.s3.credentialsDir).")
    var s3CredentialsDir: String?

    @Option(name: .customLong("gcs-credentials-file"), help: "Service-account JSON key (spec.cloud.gcs.credentialsFile). Env: PYBAK_GCS_CREDENTIALS_FILE, else GOOGLE_APPLICATION_CREDENTIALS.")
    var gcsCredentialsFile: String?

    @Option(name: .customLong("gcs-endpoint"), help: "JSON API URL (default https://storage.googleapis.com; spec.cloud.gcs.endpoint), e.g. an emulator.")
    var gcsEndpoint: String?

    @Option(name: .customLong("gcs-token-endpoint"), help: "OAuth 2 token endpoint (default: the key's token_uri; spec.cloud.gcs.tokenEndpoint).")
    var gcsTokenEndpoint: String?

    /// Adds the values given to `flags`, for `SettingsResolver`.
    func apply(to flags: inout CloudFlags) {
        flags.s3Region = s3Region
        flags.s3Endpoint = s3Endpoint
        flags.s3PathStyle = s3PathStyle
        flags.s3CredentialsDir = s3CredentialsDir
        flags.gcsCredentialsFile = gcsCredentialsFile
        flags.gcsEndpoint = gcsEndpoint
        flags.gcsTokenEndpoint = gcsTokenEndpoint
    }
}
