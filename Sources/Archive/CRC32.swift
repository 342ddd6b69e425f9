import CZlib

/// CRC-32 (ISO 3309, the zip and gzip checksum) through zlib.
public enum CRC32 {
    /// Extends `crc` over `bytes`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        var value = uLong(crc)
        var offset = 0
        while offset < bytes.count {
            let take = min(bytes.count - offset, Int(UInt32.max))
            value = crc32(value, base.assumingMemoryBound(to: Bytef.self) + offset, uInt(take))
            offset += take
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// The CRC of `A + B` from the CRC of `A`, the CRC of `B` and the length of `B`.
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32_combine(uLong(first), uLong(second), off_t(secondLength)))
    }
}
