/// The `--s3-*` flags and `--keep-local-copy`; nil means "not given".
public struct CloudFlags: Sendable, Equatable {
    public var s3Bucket: String?
    public var s3Region: String?
    public var s3Endpoint: String?
    public var s3Prefix: String?
    public var s3PathStyle: Bool?
    public var s3StorageClass: String?
    public var s3CredentialsDir: String?
    public var gcsBucket: String?
    public var gcsPrefix: String?
    public var gcsEndpoint: String?
    public var gcsCredentialsFile: String?
    public var gcsTokenEndpoint: String?
    public var keepLocalCopy: Bool?

    /// No flags.
    public init() {}
}

extension SettingsResolver {
    /// The environment variables read for uploads, with what they fill.
    public static let cloudEnvironmentKeys: [(name: String, meaning: String)] = [
        ("PYBAK_S3_BUCKET", "S3 bucket"), ("PYBAK_S3_REGION", "S3 region (else AWS_REGION, AWS_DEFAULT_REGION, us-east-1)"),
        ("PYBAK_S3_ENDPOINT", "S3-compatible endpoint URL"), ("PYBAK_S3_PREFIX", "S3 key prefix"),
        ("PYBAK_S3_PATH_STYLE", "true for path-style URLs"), ("PYBAK_S3_STORAGE_CLASS", "S3 storage class"),
        ("PYBAK_S3_CREDENTIALS_DIR", "folder with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY files"),
        ("PYBAK_S3_MULTIPART_THRESHOLD", "multipart above this size (e.g. 16Mi)"), ("PYBAK_S3_PART_SIZE", "multipart part size (min 5Mi)"),
        ("PYBAK_S3_TIMEOUT", "time allowed per request (e.g. 300s)"), ("PYBAK_KEEP_LOCAL_COPY", "false to keep only the cloud copy"),
    ] + gcsEnvironmentKeys

    static let s3Keys: Set<String> = [
        "bucket", "region", "endpoint", "prefix", "pathStyle", "storageClass", "credentialsDir", "credentialsSecretRef", "profile",
        "multipartThreshold", "partSize", "timeout", "caFile",
    ]

    /// Resolves `spec.cloud` and `spec.keepLocalCopy` under flags, over `PYBAK_*` variables.
    /// - Throws: `PyBakError.config` naming the key and what is wrong.
    static func resolveCloud(spec: BackupPolicySpec, flags: CloudFlags, environment env: [String: String]) throws -> CloudSettings {
        var specS3: [String: JSONValue] = [:]
        var specGCS: [String: JSONValue]?
        if let cloud = spec.cloud {
            guard case .object(let fields) = cloud else { throw PyBakError(.config, "spec.cloud: expected a mapping with s3 and/or gcs") }
            for (key, value) in fields {
                switch key {
                case "s3":
                    guard case .object(let s3) = value else { throw PyBakError(.config, "spec.cloud.s3: expected a mapping (bucket, region, prefix, ...)") }
                    for name in s3.keys where !s3Keys.contains(name) {
                        throw PyBakError(.config, "spec.cloud.s3.\(name) is not a setting; use one of \(s3Keys.sorted().joined(separator: ", "))")
                    }
                    specS3 = s3
                case "gcs":
                    guard case .object(let gcs) = value else { throw PyBakError(.config, "spec.cloud.gcs: expected a mapping (bucket, prefix, credentialsFile, ...)") }
                    for name in gcs.keys where !gcsKeys.contains(name) {
                        throw PyBakError(.config, "spec.cloud.gcs.\(name) is not a setting; use one of \(gcsKeys.sorted().joined(separator: ", "))")
                    }
                    specGCS = gcs
                default:
                    throw PyBakError(.config, "spec.cloud.\(key) is not a cloud target; use spec.cloud.s3 or spec.cloud.gcs")
                }
            }
        }
        let reader = CloudValueReader(spec: specS3, environment: env)
        let gcs = try resolveGCS(spec: specGCS, flags: flags, environment: env)
        let s3 = try resolveS3(spec: specS3, flags: flags, environment: env)
        guard s3 != nil || gcs != nil else {
            // Without a target the local copy is the only one: it always stays (documented in README).
            return CloudSettings(keepLocalCopy: true)
        }
        let keepLocalCopy = try flags.keepLocalCopy ?? spec.keepLocalCopy ?? reader.envBool("PYBAK_KEEP_LOCAL_COPY") ?? true
        return CloudSettings(s3: s3, gcs: gcs, keepLocalCopy: keepLocalCopy)
    }

    /// Resolves the S3 target from `spec.cloud.s3`, the `--s3-*` flags and `PYBAK_S3_*`; nil without a bucket.
    private static func resolveS3(spec specS3: [String: JSONValue], flags: CloudFlags, environment env: [String: String]) throws -> S3Target? {
        let reader = CloudValueReader(spec: specS3, environment: env)
        let bucket = try flags.s3Bucket ?? reader.string("bucket") ?? reader.env("PYBAK_S3_BUCKET")
        guard let bucket else {
            let stray = [flags.s3Region, flags.s3Endpoint, flags.s3Prefix, flags.s3StorageClass, flags.s3CredentialsDir].contains { $0 != nil }
            if stray || flags.s3PathStyle != nil || !specS3.isEmpty {
                throw PyBakError(.config, "S3 settings were given without a bucket; pass --s3-bucket NAME or set spec.cloud.s3.bucket")
            }
            return nil
        }
        guard !bucket.isEmpty, !bucket.contains("/"), !bucket.contains(" ") else {
            throw PyBakError(.config, "spec.cloud.s3.bucket '\(bucket)' is not a bucket name; give the name alone (no s3://, no slashes)")
        }
        let region = try flags.s3Region ?? reader.string("region") ?? reader.env("PYBAK_S3_REGION") ?? reader.env("AWS_REGION") ?? reader.env("AWS_DEFAULT_REGION") ?? "us-east-1"
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw PyBakError(.config, "spec.cloud.s3.region '\(region)' is not a region name like eu-west-1")
        }
        var target = S3Target(bucket: bucket, region: region)
        target.endpoint = try flags.s3Endpoint ?? reader.string("endpoint") ?? reader.env("PYBAK_S3_ENDPOINT")
        if let endpoint = target.endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw PyBakError(.config, "spec.cloud.s3.endpoint '\(endpoint)' must start with http:// or https://")
        }
        target.prefix = try flags.s3Prefix ?? reader.string("prefix") ?? reader.env("PYBAK_S3_PREFIX") ?? ""
        target.pathStyle = try flags.s3PathStyle ?? reader.bool("pathStyle") ?? reader.envBool("PYBAK_S3_PATH_STYLE") ?? false
        target.storageClass = try flags.s3StorageClass ?? reader.string("storageClass") ?? reader.env("PYBAK_S3_STORAGE_CLASS")
        if let storageClass = target.storageClass, storageClass.isEmpty || !storageClass.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) {
            throw PyBakError(.config, "spec.cloud.s3.storageClass '\(storageClass)' is not a storage class like STANDARD_IA or GLACIER_IR")
        }
        target.credentialsDir = try flags.s3CredentialsDir ?? reader.string("credentialsDir") ?? reader.env("PYBAK_S3_CREDENTIALS_DIR")
        target.profile = try reader.string("profile")
        target.caFile = try reader.string("caFile")
        target.multipartThreshold = try reader.size("multipartThreshold", env: "PYBAK_S3_MULTIPART_THRESHOLD") ?? target.multipartThreshold
        target.partSize = try reader.size("partSize", env: "PYBAK_S3_PART_SIZE") ?? target.partSize
        guard target.partSize >= S3Target.minimumPartSize else {
            throw PyBakError(.config, "spec.cloud.s3.partSize \(target.partSize) is below S3's minimum part size; use at least 5Mi")
        }
        guard target.multipartThreshold >= 1 else { throw PyBakError(.config, "spec.cloud.s3.multipartThreshold must be at least 1 byte") }
        if let timeout = try reader.string("timeout") ?? reader.env("PYBAK_S3_TIMEOUT") {
            target.timeoutSeconds = try DurationText.seconds(timeout, field: "spec.cloud.s3.timeout")
            guard target.timeoutSeconds >= 1 else { throw PyBakError(.config, "spec.cloud.s3.timeout must be at least 1s") }
        }
        return target
    }
}

/// Reads typed values from `spec.cloud.s3` and the environment, with errors naming the key.
struct CloudValueReader {
    let spec: [String: JSONValue]
    let environment: [String: String]
    /// The `spec.cloud` key the values sit under, for messages (`s3`, `gcs`).
    var section = "s3"

    func env(_ key: String) -> String? {
        guard let value = environment[key], !value.isEmpty else { return nil }
        return value
    }

    func string(_ key: String) throws -> String? {
        switch spec[key] {
        case nil, .null: return nil
        case .string(let value): return value
        default: throw PyBakError(.config, "spec.cloud.\(section).\(key): expected a string")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch spec[key] {
        case nil, .null: return nil
        case .bool(let value): return value
        default: throw PyBakError(.config, "spec.cloud.\(section).\(key): expected true or false")
        }
    }

    func envBool(_ key: String) throws -> Bool? {
        guard let text = env(key) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw PyBakError(.config, "\(key): '\(text)' is not true or false")
        }
    }

    /// A byte size: a whole number, or with a suffix K/Ki, M/Mi, G/Gi (all binary).
    func size(_ key: String, env envKey: String) throws -> Int64? {
        let field = "spec.cloud.\(section).\(key)"
        switch spec[key] {
        case .number(let value):
            guard value >= 0, value == value.rounded() else { throw PyBakError(.config, "\(field): \(value) is not a whole number of bytes") }
            return Int64(value)
        case .string(let text): return try Self.parseSize(text, field: field)
        case nil, .null: return try env(envKey).map { try Self.parseSize($0, field: envKey) }
        default: throw PyBakError(.config, "\(field): expected a size such as 16Mi")
        }
    }

    static func parseSize(_ text: String, field: String) throws -> Int64 {
        let units: [(String, Int64)] = [("Gi", 1 << 30), ("G", 1 << 30), ("Mi", 1 << 20), ("M", 1 << 20), ("Ki", 1 << 10), ("K", 1 << 10), ("", 1)]
        var trimmed = text.trimmed(" ")
        if trimmed.hasSuffix("B") { trimmed.removeLast() }
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let number = Int64(trimmed.dropLast(suffix.count)), number >= 0 { return number * factor }
        }
        throw PyBakError(.config, "\(field): '\(text)' is not a size; write e.g. 16Mi, 5242880 or 1Gi")
    }
}
