import Foundation

/// The framing of a `multipart/related` upload: JSON metadata, then the object's bytes (streamed from
/// the file between `head` and `tail`, never held in memory).
struct GCSMultipartBody: Equatable {
    /// The `Content-Type` header: `multipart/related; boundary=...`.
    let contentType: String
    /// The metadata part and the media part's header, up to the first content byte.
    let head: [UInt8]
    /// The closing delimiter after the last content byte.
    let tail: [UInt8]

    /// Frames an upload.
    /// - Parameters:
    ///   - metadata: the object resource (name, crc32c, contentType) as JSON.
    ///   - mediaType: the content's type.
    ///   - boundary: the delimiter; random, so it cannot occur in the content by chance.
    init(metadata: [UInt8], mediaType: String, boundary: String = GCSMultipartBody.randomBoundary()) {
        contentType = "multipart/related; boundary=\(boundary)"
        head = Array("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8) + metadata
            + Array("\r\n--\(boundary)\r\nContent-Type: \(mediaType)\r\n\r\n".utf8)
        tail = Array("\r\n--\(boundary)--\r\n".utf8)
    }

    /// `pybak-` and 32 random hex digits.
    static func randomBoundary() -> String {
        "pybak-" + (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max)) }.joined()
    }
}
