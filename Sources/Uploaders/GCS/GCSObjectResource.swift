import Foundation
import Transport

/// The fields of a GCS object resource (the JSON the API answers an upload or a metadata GET with) that PyBak checks.
struct GCSObjectResource: Equatable {
    var name: String
    var size: Int64
    /// Base64 big-endian CRC-32C.
    var crc32c: String
    /// The object's generation (its version; recorded as the catalog's etag).
    var generation: String

    /// Parses an answer.
    /// - Throws: `UploadError` naming the object when the answer is not an object resource.
    static func parse(_ body: [UInt8], object: String) throws -> GCSObjectResource {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw UploadError(path: object, "the store's answer is not an object resource: \(ServiceMessage.excerpt(of: body))", retryable: true)
        }
        func text(_ key: String) -> String? {
            if let value = json[key] as? String { return value }
            return (json[key] as? NSNumber)?.stringValue
        }
        guard let size = text("size").flatMap({ Int64($0) }), let crc32c = text("crc32c") else {
            throw UploadError(path: object, "the store's answer lacks size or crc32c: \(ServiceMessage.excerpt(of: body))", retryable: true)
        }
        return GCSObjectResource(name: text("name") ?? "", size: size, crc32c: crc32c, generation: text("generation") ?? text("etag") ?? "")
    }

    /// Requires the stored object to be the bytes sent.
    /// - Throws: a retryable `UploadError` when size or CRC-32C differ.
    func verify(size expectedSize: Int64, crc32c expected: String, object: String) throws {
        guard size == expectedSize, crc32c == expected else {
            throw UploadError(path: object, """
                the stored object (\(size) bytes, crc32c \(crc32c)) is not the file sent (\(expectedSize) bytes, crc32c \(expected)); \
                it is not trusted and is uploaded again next pass
                """, retryable: true)
        }
    }
}
