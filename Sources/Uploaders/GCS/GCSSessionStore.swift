import Archive
import Foundation
import PyBakCore

/// Resumable upload sessions kept across passes, so a pass killed in the middle of a large upload is continued
/// by the next pass in the same session (from the offset GCS says it holds) instead of starting over.
/// One small JSON file per object in a folder (`DEST/.pybak/gcs-sessions`), named by the SHA-256 of bucket and
/// object name, written atomically. A session is reused only for the same bucket, object, size and CRC-32C and
/// while younger than `maxAge` (GCS keeps a session URI for a week); anything else starts a new session.
public struct GCSSessionStore: Sendable {
    /// A saved session.
    struct Saved: Codable, Equatable {
        var session: String
        var bucket: String
        var name: String
        var size: Int64
        var crc32c: String
        /// Seconds since 1970 when the session was started.
        var startedAt: Double
    }

    /// The folder holding the session files.
    public let folder: String
    /// Sessions older than this are not resumed (six days: GCS expires them after seven).
    let maxAge: Double

    /// A store in `folder` (created when the first session is saved).
    public init(folder: String, maxAge: Double = 6 * 86_400) {
        self.folder = folder
        self.maxAge = maxAge
    }

    /// The session saved for this object and content, if it may still be resumed.
    func load(bucket: String, name: String, size: Int64, crc32c: String, now: Double = Date().timeIntervalSince1970) -> Saved? {
        guard let data = FileManager.default.contents(atPath: path(bucket: bucket, name: name)),
            let saved = try? JSONDecoder().decode(Saved.self, from: data)
        else { return nil }
        guard saved.bucket == bucket, saved.name == name, saved.size == size, saved.crc32c == crc32c, now - saved.startedAt < maxAge else {
            return nil
        }
        return saved
    }

    /// Saves a session just started.
    /// - Throws: the file system's error (the upload goes on; only resuming after a kill is lost).
    func save(_ saved: Saved) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(saved)
        try data.write(to: URL(fileURLWithPath: path(bucket: saved.bucket, name: saved.name)), options: .atomic)
    }

    /// Forgets the session of an object (finished, refused or expired).
    func remove(bucket: String, name: String) {
        try? FileManager.default.removeItem(atPath: path(bucket: bucket, name: name))
    }

    /// The session file of an object.
    func path(bucket: String, name: String) -> String {
        "\(folder)/\(Hex.encode(Digest.sha256(Array("\(bucket)\u{0}\(name)".utf8)))).json"
    }
}
