/// Little-endian integers into and out of byte arrays, for zip records.
extension Array where Element == UInt8 {
    mutating func appendLE16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func appendLE32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    mutating func appendLE64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }

    func le16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }

    func le32(at offset: Int) -> UInt32 { UInt32(le16(at: offset)) | UInt32(le16(at: offset + 2)) << 16 }

    func le64(at offset: Int) -> UInt64 { UInt64(le32(at: offset)) | UInt64(le32(at: offset + 4)) << 32 }
}
