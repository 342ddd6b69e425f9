#if canImport(Glibc)
import Glibc
#endif

/// One member of a zip archive as PyBak writes it: deflated, sizes known before its local header.
public struct ZipEntry: Sendable, Equatable {
    /// The member name: the file's path relative to the source, `/`-separated, UTF-8.
    public var name: String
    /// CRC-32 of the uncompressed bytes.
    public var crc32: UInt32
    /// Bytes of deflate data.
    public var compressedSize: UInt64
    /// Bytes of the original file.
    public var uncompressedSize: UInt64
    /// Where the member's local header starts in the archive.
    public var offset: UInt64
    /// Modification time, seconds since the epoch (UTC).
    public var mtime: Int64

    public init(name: String, crc32: UInt32, compressedSize: UInt64, uncompressedSize: UInt64, offset: UInt64, mtime: Int64) {
        self.name = name
        self.crc32 = crc32
        self.compressedSize = compressedSize
        self.uncompressedSize = uncompressedSize
        self.offset = offset
        self.mtime = mtime
    }
}

/// The records of a zip archive (APPNOTE 6.3.x): local file headers written before each member's data,
/// then the central directory and the end records. ZIP64 extra fields and the ZIP64 end records are used
/// exactly when a value does not fit its classic field; the thresholds are lowered only by tests.
public struct ZipLayout: Sendable {
    /// Sizes and offsets at or above this are stored in ZIP64 extra fields (classic field 0xFFFFFFFF).
    public var sizeThreshold: UInt64
    /// Entry counts at or above this need the ZIP64 end of central directory record.
    public var entryThreshold: Int

    static let localSignature: UInt32 = 0x0403_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    /// General purpose flag bit 11: names are UTF-8.
    static let utf8Flag: UInt16 = 0x0800
    static let deflated: UInt16 = 8

    /// A layout with the classic limits (4 GiB, 65535 entries), or lower ones for tests.
    public init(sizeThreshold: UInt64 = 0xFFFF_FFFF, entryThreshold: Int = 0xFFFF) {
        self.sizeThreshold = sizeThreshold
        self.entryThreshold = entryThreshold
    }

    func sizesNeedZip64(_ entry: ZipEntry) -> Bool {
        entry.compressedSize >= sizeThreshold || entry.uncompressedSize >= sizeThreshold
    }

    /// The local file header (with its extra fields) that precedes the member's deflate data.
    public func localHeader(_ entry: ZipEntry) -> [UInt8] {
        let zip64 = sizesNeedZip64(entry)
        var extra: [UInt8] = []
        if zip64 {
            extra.appendLE16(0x0001)
            extra.appendLE16(16)
            extra.appendLE64(entry.uncompressedSize)
            extra.appendLE64(entry.compressedSize)
        }
        extra += Self.timestampExtra(entry.mtime)
        let name = Array(entry.name.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30 + name.count + extra.count)
        bytes.appendLE32(Self.localSignature)
        Self.appendShared(&bytes, entry, needs64: zip64, sizes64: zip64, nameLength: name.count, extraLength: extra.count)
        bytes += name
        bytes += extra
        return bytes
    }

    /// The central directory header of a member.
    public func centralHeader(_ entry: ZipEntry) -> [UInt8] {
        let sizes64 = sizesNeedZip64(entry)
        let offset64 = entry.offset >= sizeThreshold
        var extra: [UInt8] = []
        if sizes64 || offset64 {
            var fields: [UInt8] = []
            if sizes64 {
                fields.appendLE64(entry.uncompressedSize)
                fields.appendLE64(entry.compressedSize)
            }
            if offset64 { fields.appendLE64(entry.offset) }
            extra.appendLE16(0x0001)
            extra.appendLE16(UInt16(fields.count))
            extra += fields
        }
        extra += Self.timestampExtra(entry.mtime)
        let name = Array(entry.name.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(46 + name.count + extra.count)
        bytes.appendLE32(Self.centralSignature)
        bytes.appendLE16(0x031E)  // made by: Unix, APPNOTE 3.0
        Self.appendShared(&bytes, entry, needs64: sizes64 || offset64, sizes64: sizes64, nameLength: name.count, extraLength: extra.count)
        bytes.appendLE16(0)  // comment
        bytes.appendLE16(0)  // disk number start
        bytes.appendLE16(0)  // internal attributes
        bytes.appendLE32(UInt32(0o100644) << 16)  // external: a regular file, rw-r--r--
        bytes.appendLE32(offset64 ? 0xFFFF_FFFF : UInt32(entry.offset))
        bytes += name
        bytes += extra
        return bytes
    }

    /// The end records after the central directory: ZIP64 end record and locator when needed, then the classic end record.
    /// - Parameters:
    ///   - entries: the number of members.
    ///   - directoryOffset: where the central directory starts.
    ///   - directorySize: its length in bytes.
    public func endRecords(entries: Int, directoryOffset: UInt64, directorySize: UInt64) -> [UInt8] {
        let zip64 = entries >= entryThreshold || directoryOffset >= sizeThreshold || directorySize >= sizeThreshold
        var bytes: [UInt8] = []
        if zip64 {
            let recordOffset = directoryOffset + directorySize
            bytes.appendLE32(Self.zip64EndSignature)
            bytes.appendLE64(44)  // size of the rest of this record
            bytes.appendLE16(0x031E)
            bytes.appendLE16(45)
            bytes.appendLE32(0)  // this disk
            bytes.appendLE32(0)  // disk with the central directory
            bytes.appendLE64(UInt64(entries))
            bytes.appendLE64(UInt64(entries))
            bytes.appendLE64(directorySize)
            bytes.appendLE64(directoryOffset)
            bytes.appendLE32(Self.zip64LocatorSignature)
            bytes.appendLE32(0)
            bytes.appendLE64(recordOffset)
            bytes.appendLE32(1)  // total disks
        }
        bytes.appendLE32(Self.endSignature)
        bytes.appendLE16(0)
        bytes.appendLE16(0)
        let count = zip64 ? 0xFFFF : UInt16(entries)
        bytes.appendLE16(count)
        bytes.appendLE16(count)
        bytes.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(directorySize))
        bytes.appendLE32(zip64 ? 0xFFFF_FFFF : UInt32(directoryOffset))
        bytes.appendLE16(0)  // comment
        return bytes
    }

    /// The fields local and central headers share, from "version needed" to "extra field length".
    static func appendShared(_ bytes: inout [UInt8], _ entry: ZipEntry, needs64: Bool, sizes64: Bool, nameLength: Int, extraLength: Int) {
        bytes.appendLE16(needs64 ? 45 : 20)
        bytes.appendLE16(utf8Flag)
        bytes.appendLE16(deflated)
        let (time, date) = dosTime(entry.mtime)
        bytes.appendLE16(time)
        bytes.appendLE16(date)
        bytes.appendLE32(entry.crc32)
        bytes.appendLE32(sizes64 ? 0xFFFF_FFFF : UInt32(entry.compressedSize))
        bytes.appendLE32(sizes64 ? 0xFFFF_FFFF : UInt32(entry.uncompressedSize))
        bytes.appendLE16(UInt16(nameLength))
        bytes.appendLE16(UInt16(extraLength))
    }

    /// The extended timestamp extra field (0x5455, Info-ZIP): the modification time in seconds.
    static func timestampExtra(_ mtime: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLE16(0x5455)
        bytes.appendLE16(5)
        bytes.append(1)  // mtime present
        bytes.appendLE32(UInt32(truncatingIfNeeded: max(0, min(mtime, Int64(UInt32.max)))))
        return bytes
    }

    /// MS-DOS time and date fields (UTC; 2-second resolution; clamped to 1980...2107).
    static func dosTime(_ seconds: Int64) -> (time: UInt16, date: UInt16) {
        var when = time_t(max(seconds, 315_532_800))  // 1980-01-01
        var parts = tm()
        gmtime_r(&when, &parts)
        let year = min(max(Int(parts.tm_year) + 1900, 1980), 2107)
        let time = UInt16(parts.tm_hour) << 11 | UInt16(parts.tm_min) << 5 | UInt16(parts.tm_sec / 2)
        let date = UInt16(year - 1980) << 9 | UInt16(parts.tm_mon + 1) << 5 | UInt16(parts.tm_mday)
        return (time, date)
    }
}
