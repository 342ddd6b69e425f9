import Foundation
import Logging
import PyBakCore
import Transport

/// One resumable upload session: chunks streamed from disk with `Content-Range`, 308 answers moving the
/// offset to what the store persisted, and after a dropped connection or a 5xx, a status query
/// (`Content-Range: bytes */SIZE`) that says where to resume.
struct GCSResumableUpload {
    let client: GCSClient
    /// The session URI (the `Location` of the start request).
    let session: String
    let file: String
    let size: Int64
    let name: String
    let chunkSize: Int64
    let timeout: Double
    let logger: Logger
    let sleeper: @Sendable (Double) -> Void

    /// Failed chunk requests in a row after which the upload is left to the next pass.
    static let maxConsecutiveFailures = 5

    /// Sends every byte from offset 0, resuming where the store says it stopped.
    /// - Parameter resuming: the session was started by an earlier pass: ask the store first how much it holds.
    /// - Returns: the finished object's resource.
    /// - Throws: `UploadError` when the store refuses or stays unreachable; `GCSSessionGone` when `resuming`
    ///   and the store no longer knows the session (expired or cancelled).
    func run(resuming: Bool = false) throws -> GCSObjectResource {
        var offset: Int64 = 0
        var failures = 0
        if resuming {
            if let finished = try status(&offset, goneIsKnown: true) { return finished }
            logger.notice("resumable upload resumed from an earlier pass", metadata: [
                "object.url": "\(client.objectURL(name))", "upload.offset": "\(offset)", "upload.size": "\(size)",
            ])
        }
        while true {
            let length = min(chunkSize, size - offset)
            let request = HTTPRequest(
                method: "PUT", url: session, headers: [(name: "Content-Range", value: "bytes \(offset)-\(offset + length - 1)/\(size)")],
                body: .file(path: file, offset: offset, length: length), timeout: timeout, maxResponseBytes: 1 << 20)
            do {
                let response = try client.send(request, name: name, retry: RetryPolicy.none, accept: [308])
                if response.status != 308 { return try GCSObjectResource.parse(response.body, object: client.objectURL(name)) }
                let persisted = try Self.persisted(response, object: client.objectURL(name))
                // The store may keep less than a whole chunk; resume exactly where it stopped.
                guard persisted > offset else {
                    throw UploadError(path: client.objectURL(name), "the store kept nothing of the chunk at \(offset) (Range says \(persisted) bytes)", retryable: true)
                }
                offset = persisted
                failures = 0
            } catch let error as UploadError where error.isRetryable {
                failures += 1
                guard failures < Self.maxConsecutiveFailures else { throw error }
                sleeper(client.retry.delay(afterAttempt: failures, retryAfter: nil, random: Double.random(in: 0..<1)))
                if let finished = try status(&offset) { return finished }
                logger.notice("resumable upload resumed", metadata: [
                    "object.url": "\(client.objectURL(name))", "upload.offset": "\(offset)", "upload.size": "\(size)", "reason": "\(error.message)",
                ])
            }
        }
    }

    /// Asks the store how much of the upload it holds; the object when it is already complete.
    /// - Parameter goneIsKnown: a 404 or 410 (the session expired or was cancelled) throws `GCSSessionGone`.
    private func status(_ offset: inout Int64, goneIsKnown: Bool = false) throws -> GCSObjectResource? {
        let request = HTTPRequest(method: "PUT", url: session, headers: [(name: "Content-Range", value: "bytes */\(size)")], timeout: timeout, maxResponseBytes: 1 << 20)
        let response = try client.send(request, name: name, accept: goneIsKnown ? [308, 404, 410] : [308])
        if response.status == 404 || response.status == 410 { throw GCSSessionGone(status: response.status) }
        if response.status != 308 { return try GCSObjectResource.parse(response.body, object: client.objectURL(name)) }
        offset = try Self.persisted(response, object: client.objectURL(name))
        return nil
    }

    /// The bytes persisted, from a 308's `Range: bytes=0-LAST` (none: 0).
    static func persisted(_ response: HTTPResponse, object: String) throws -> Int64 {
        guard let range = response.header("range") else { return 0 }
        guard range.hasPrefix("bytes=0-"), let last = Int64(range.dropFirst("bytes=0-".count)) else {
            throw UploadError(path: object, "the store answered a resumable upload with an unreadable Range '\(range)'", retryable: true)
        }
        return last + 1
    }
}

/// The store no longer knows a resumable session saved by an earlier pass (HTTP 404 or 410): start a new one.
struct GCSSessionGone: Error {
    let status: Int
}
