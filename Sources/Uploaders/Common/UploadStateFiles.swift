import Archive
import Foundation

/// Small JSON files, one per object, that carry an unfinished upload's state from one pass to the next
/// (a GCS session URI, an S3 multipart UploadId). Each file is named by the SHA-256 of bucket and object
/// name and written atomically; an unreadable file reads as no state.
struct UploadStateFiles: Sendable {
    /// The folder holding the files (created when the first one is written).
    let folder: String

    /// The state saved for an object, if a readable one is there.
    func read<State: Decodable>(_ type: State.Type, bucket: String, name: String) -> State? {
        guard let data = FileManager.default.contents(atPath: path(bucket: bucket, name: name)) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Saves an object's state.
    /// - Throws: the file system's error (the upload goes on; only resuming after a kill is lost).
    func write<State: Encodable>(_ state: State, bucket: String, name: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONEncoder().encode(state).write(to: URL(fileURLWithPath: path(bucket: bucket, name: name)), options: .atomic)
    }

    /// Forgets an object's state (finished, refused or gone).
    func remove(bucket: String, name: String) {
        try? FileManager.default.removeItem(atPath: path(bucket: bucket, name: name))
    }

    /// The file of an object.
    func path(bucket: String, name: String) -> String {
        "\(folder)/\(Hex.encode(Digest.sha256(Array("\(bucket)\u{0}\(name)".utf8)))).json"
    }
}
