extension SettingsResolver {
    /// The environment variables read for Google Cloud Storage uploads, with what they fill.
    static let gcsEnvironmentKeys: [(name: String, meaning: String)] = [
        ("PYBAK_GCS_BUCKET", "GCS bucket"), ("PYBAK_GCS_PREFIX", "GCS object-name prefix"),
        ("PYBAK_GCS_ENDPOINT", "GCS JSON API URL (default https://storage.googleapis.com)"),
        ("PYBAK_GCS_CREDENTIALS_FILE", "service-account JSON key file (else GOOGLE_APPLICATION_CREDENTIALS)"),
        ("PYBAK_GCS_TOKEN_ENDPOINT", "OAuth 2 token endpoint (default: the key's token_uri)"),
        ("PYBAK_GCS_MULTIPART_THRESHOLD", "resumable uploads at/above this size (e.g. 8Mi)"),
        ("PYBAK_GCS_CHUNK_SIZE", "resumable chunk size, a multiple of 256Ki"), ("PYBAK_GCS_TIMEOUT", "time allowed per request (e.g. 300s)"),
    ]

    static let gcsKeys: Set<String> = [
        "bucket", "prefix", "endpoint", "credentialsFile", "credentialsSecretRef", "tokenEndpoint", "multipartThreshold", "chunkSize",
        "timeout", "caFile",
    ]

    /// Resolves the GCS target from `spec.cloud.gcs`, the `--gcs-*` flags and `PYBAK_GCS_*`; nil without a bucket.
    /// - Throws: `PyBakError.config` naming the key and what is wrong.
    static func resolveGCS(spec: [String: JSONValue]?, flags: CloudFlags, environment env: [String: String]) throws -> GCSTarget? {
        let reader = CloudValueReader(spec: spec ?? [:], environment: env, section: "gcs")
        guard let bucket = try flags.gcsBucket ?? reader.string("bucket") ?? reader.env("PYBAK_GCS_BUCKET") else {
            let stray = [flags.gcsPrefix, flags.gcsEndpoint, flags.gcsCredentialsFile, flags.gcsTokenEndpoint].contains { $0 != nil }
            if stray || spec != nil {
                throw PyBakError(.config, "GCS settings were given without a bucket; pass --gcs-bucket NAME or set spec.cloud.gcs.bucket")
            }
            return nil
        }
        guard !bucket.isEmpty, !bucket.contains("/"), !bucket.contains(" "), !bucket.hasPrefix("gs:") else {
            throw PyBakError(.config, "spec.cloud.gcs.bucket '\(bucket)' is not a bucket name; give the name alone (no gs://, no slashes)")
        }
        let file = try flags.gcsCredentialsFile ?? reader.string("credentialsFile") ?? reader.env("PYBAK_GCS_CREDENTIALS_FILE")
            ?? reader.env("GOOGLE_APPLICATION_CREDENTIALS")
        guard let file else {
            throw PyBakError(.config, """
                GCS bucket '\(bucket)' needs a service-account JSON key: pass --gcs-credentials-file FILE, set \
                spec.cloud.gcs.credentialsFile (or credentialsSecretRef in a cluster), or GOOGLE_APPLICATION_CREDENTIALS
                """)
        }
        var target = GCSTarget(bucket: bucket, credentialsFile: file)
        target.prefix = try flags.gcsPrefix ?? reader.string("prefix") ?? reader.env("PYBAK_GCS_PREFIX") ?? ""
        target.endpoint = try Self.httpURL(flags.gcsEndpoint ?? reader.string("endpoint") ?? reader.env("PYBAK_GCS_ENDPOINT"), field: "spec.cloud.gcs.endpoint")
            ?? GCSTarget.defaultEndpoint
        target.tokenEndpoint = try Self.httpURL(
            flags.gcsTokenEndpoint ?? reader.string("tokenEndpoint") ?? reader.env("PYBAK_GCS_TOKEN_ENDPOINT"), field: "spec.cloud.gcs.tokenEndpoint")
        target.caFile = try reader.string("caFile")
        target.multipartThreshold = try reader.size("multipartThreshold", env: "PYBAK_GCS_MULTIPART_THRESHOLD") ?? target.multipartThreshold
        target.chunkSize = try reader.size("chunkSize", env: "PYBAK_GCS_CHUNK_SIZE") ?? target.chunkSize
        guard target.chunkSize >= GCSTarget.chunkGranularity, target.chunkSize % GCSTarget.chunkGranularity == 0 else {
            throw PyBakError(.config, "spec.cloud.gcs.chunkSize \(target.chunkSize) is not a multiple of 256Ki, as GCS requires; use e.g. 8Mi or 16Mi")
        }
        guard target.multipartThreshold >= 1 else { throw PyBakError(.config, "spec.cloud.gcs.multipartThreshold must be at least 1 byte") }
        if let timeout = try reader.string("timeout") ?? reader.env("PYBAK_GCS_TIMEOUT") {
            target.timeoutSeconds = try DurationText.seconds(timeout, field: "spec.cloud.gcs.timeout")
            guard target.timeoutSeconds >= 1 else { throw PyBakError(.config, "spec.cloud.gcs.timeout must be at least 1s") }
        }
        return target
    }

    /// The URL without trailing slashes, required to be http(s).
    private static func httpURL(_ value: String?, field: String) throws -> String? {
        guard var url = value else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw PyBakError(.config, "\(field) '\(url)' must start with http:// or https://")
        }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
