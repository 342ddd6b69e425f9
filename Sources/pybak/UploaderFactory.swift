import Foundation
import Logging
import PyBakCore
import Transport
import Uploaders

/// Builds the uploaders a pass's cloud settings ask for, with their credentials.
enum UploaderFactory {
    /// How often one upload request is repeated on 5xx, 429 and network faults, within a pass.
    static let retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 10)

    /// - Parameter stateFolder: the destination's state folder (`DEST/.pybak`); GCS keeps its resumable sessions in
    ///   `gcs-sessions` there, so the next pass resumes an upload a killed pass left half done.
    /// - Throws: `PyBakError.config` when credentials or the endpoint are unusable.
    static func make(
        _ cloud: CloudSettings, logger: Logger, stateFolder: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> [any ObjectUploader] {
        var uploaders: [any ObjectUploader] = []
        if let s3 = cloud.s3 {
            do {
                let credentials = try AWSCredentialsLoader.load(for: s3, environment: environment)
                uploaders.append(try S3Uploader(settings: s3, credentials: credentials, retry: retry, logger: logger))
            } catch let error as UploadError {
                throw PyBakError(.config, error.description)
            }
        }
        if let gcs = cloud.gcs {
            do {
                var uploader = try GCSUploader.make(settings: gcs, retry: retry, logger: logger)
                uploader.sessions = stateFolder.map { GCSSessionStore(folder: "\($0)/gcs-sessions") }
                uploaders.append(uploader)
            } catch let error as UploadError {
                throw PyBakError(.config, error.description)
            }
        }
        return uploaders
    }
}
