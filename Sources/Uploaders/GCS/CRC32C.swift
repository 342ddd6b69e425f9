import Foundation

/// CRC-32C (Castagnoli), the checksum Google Cloud Storage verifies, computed incrementally
/// (slicing-by-8, so a large file costs a few seconds per GiB at most).
public struct CRC32C: Sendable, Equatable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    /// Starts an empty checksum.
    public init() {}

    /// The checksum of bytes in memory.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32C()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = ~value
        guard var pointer = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var count = bytes.count
        Self.table.withUnsafeBufferPointer { t in
            while count >= 8 {
                let low = crc ^ (UInt32(pointer[0]) | UInt32(pointer[1]) << 8 | UInt32(pointer[2]) << 16 | UInt32(pointer[3]) << 24)
                crc = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(pointer[4])] ^ t[2 * 256 + Int(pointer[5])]
                    ^ t[1 * 256 + Int(pointer[6])] ^ t[Int(pointer[7])]
                pointer += 8
                count -= 8
            }
            while count > 0 {
                crc = t[Int((crc ^ UInt32(pointer.pointee)) & 0xFF)] ^ (crc >> 8)
                pointer += 1
                count -= 1
            }
        }
        value = ~crc
    }

    /// The checksum as GCS writes it: Base64 of the four bytes, big-endian.
    public var base64: String { Self.base64(value) }

    /// Base64 of a checksum's four bytes, big-endian (the JSON API's `crc32c` field, `x-goog-hash: crc32c=`).
    public static func base64(_ value: UInt32) -> String {
        ByteText.base64([UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }

    /// The CRC-32C of a byte range of a file, read once through a fixed buffer.
    /// - Throws: `UploadError` naming the file when it cannot be read whole.
    public static func ofFile(_ path: String, offset: Int64 = 0, length: Int64) throws -> UInt32 {
        var crc = CRC32C()
        try FileRange.read(path, offset: offset, length: length) { crc.update($0) }
        return crc.value
    }

    /// Eight 256-entry tables for the reflected polynomial 0x82F63B78.
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[i] = crc
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xFF)] }
        }
        return t
    }()
}
