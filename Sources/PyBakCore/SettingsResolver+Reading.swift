extension SettingsResolver {
    /// The S3 settings for reading objects back from `bucket` (restore, verify): the `--s3-*` flags over the
    /// policy file's `spec.cloud.s3` over the `PYBAK_S3_*` variables, as for `run`, except that the bucket is
    /// the one the catalog recorded for the object (the prefix is unused: keys are recorded whole).
    /// - Throws: `PyBakError.config` naming the setting and what is wrong.
    public static func s3Target(reading bucket: String, file: PolicyFile.Loaded?, flags: CloudFlags, environment: [String: String]) throws -> S3Target {
        var flags = flags
        flags.s3Bucket = bucket
        guard let target = try resolveCloud(spec: file?.spec ?? BackupPolicySpec(), flags: flags, environment: environment).s3 else {
            throw PyBakError(.config, "no S3 settings could be resolved for bucket \(bucket)")
        }
        return target
    }
}
