import ArgumentParser
import PyBakCore

/// The upload flags of `run` and `daemon` (spec.cloud.s3, spec.cloud.gcs, spec.keepLocalCopy): where copies go
/// and whether the local copy stays, over the connection flags that `restore` and `verify` share.
struct CloudOptions: ParsableArguments {
    @Option(name: .customLong("s3-bucket"), help: "Upload each stored copy to this S3 bucket (spec.cloud.s3.bucket). Env: PYBAK_S3_BUCKET.")
    var s3Bucket: String?

    @Option(name: .customLong("s3-prefix"), help: "Key prefix: keys are PREFIX/<relative path>/<stored name> (spec.cloud.s3.prefix).")
    var s3Prefix: String?

    @Option(name: .customLong("s3-storage-class"), help: "STANDARD, STANDARD_IA, GLACIER_IR, ... (spec.cloud.s3.storageClass).")
    var s3StorageClass: String?

    @Option(name: .customLong("gcs-bucket"), help: "Upload each stored copy to this Google Cloud Storage bucket (spec.cloud.gcs.bucket). Env: PYBAK_GCS_BUCKET.")
    var gcsBucket: String?

    @Option(name: .customLong("gcs-prefix"), help: "Object-name prefix: names are PREFIX/<relative path>/<stored name> (spec.cloud.gcs.prefix).")
    var gcsPrefix: String?

    @Flag(name: .customLong("keep-local-copy"), inversion: .prefixedNo, help: "Keep the stored copy in the destination after upload (default); --no-keep-local-copy keeps only the cloud copy (spec.keepLocalCopy).")
    var keepLocalCopy: Bool?

    @OptionGroup var connection: CloudConnectionOptions

    /// The values given, for `SettingsResolver`.
    var flags: CloudFlags {
        var flags = CloudFlags()
        flags.s3Bucket = s3Bucket
        flags.s3Prefix = s3Prefix
        flags.s3StorageClass = s3StorageClass
        flags.gcsBucket = gcsBucket
        flags.gcsPrefix = gcsPrefix
        flags.keepLocalCopy = keepLocalCopy
        connection.apply(to: &flags)
        return flags
    }
}
