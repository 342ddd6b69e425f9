import Foundation
import Logging
import PyBakCore
import Recovery
import Transport
import Uploaders

/// Opens the cloud store a stored copy was uploaded to, for restore and verify. One case per target:
/// S3 here; GCS answers "not available" until its `GCSObjectSource` lands (replace `unavailable` and the
/// `gcs` case below).
enum ObjectSourceFactory {
    /// How often one object read is repeated on 5xx, 429 and network faults.
    static let retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 10)

    /// Why this build cannot read a target at all; nil when it can.
    static func unavailable(_ target: String) -> PyBakError? {
        switch target {
        case "s3": return nil
        case "gcs": return PyBakError(.config, "GCS restore is not available in this build; restore from the local copy (--from local) or S3 (--from s3)")
        default: return PyBakError(.config, "the catalog records an upload to '\(target)', which this build of pybak cannot read")
        }
    }

    /// The source for one target and bucket, with the settings and credentials `run` would use.
    /// - Throws: `PyBakError.config` naming what is missing (credentials, a bad endpoint) or the unsupported target.
    static func make(
        target: String, bucket: String, file: PolicyFile.Loaded?, flags: CloudFlags, environment: [String: String], logger: Logger
    ) throws -> any StoredObjectSource {
        if let missing = unavailable(target) { throw missing }
        do {
            let settings = try SettingsResolver.s3Target(reading: bucket, file: file, flags: flags, environment: environment)
            let credentials = try AWSCredentialsLoader.load(for: settings, environment: environment)
            return try S3ObjectSource(settings: settings, credentials: credentials, retry: retry, logger: logger)
        } catch let error as UploadError {
            throw PyBakError(.config, error.description)
        }
    }
}
