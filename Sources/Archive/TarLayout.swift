/// ustar headers (POSIX.1-1988) with POSIX.1-2001 pax extended headers where a value does not fit:
/// a path over 100 bytes or not ASCII (`path`), a size of 8 GiB or more (`size`), an mtime outside
/// 0...8^11-1 (`mtime`). Members are regular files, mode 0644, owner 0/0.
public enum TarLayout {
    /// Tar block size.
    public static let blockSize = 512
    /// The largest size (and mtime) the 11 octal digits of a ustar field hold.
    static let octalLimit: Int64 = 0o77777777777
    /// The name of pax extended header entries (as Python's tarfile writes them).
    static let paxName = "././@PaxHeader"

    /// The header blocks of a regular file: a pax header and its records when needed, then the ustar header.
    /// - Parameters:
    ///   - path: the member name (the file's path relative to the source).
    ///   - size: the file's length.
    ///   - mtime: seconds since the epoch.
    public static func header(path: String, size: Int64, mtime: Int64) -> [UInt8] {
        let pathBytes = Array(path.utf8)
        var records: [(String, String)] = []
        let longPath = pathBytes.count > 100 || pathBytes.contains { $0 >= 0x80 }
        if longPath { records.append(("path", path)) }
        if size > octalLimit { records.append(("size", "\(size)")) }
        if mtime < 0 || mtime > octalLimit { records.append(("mtime", "\(mtime)")) }
        var bytes: [UInt8] = []
        if !records.isEmpty {
            let data = records.flatMap { paxRecord($0.0, $0.1) }
            bytes += block(name: Array(paxName.utf8), size: Int64(data.count), mtime: 0, type: UInt8(ascii: "x"))
            bytes += data
            bytes += [UInt8](repeating: 0, count: padding(Int64(data.count)))
        }
        let fallbackName = longPath ? Array(String(decoding: pathBytes.filter { $0 < 0x80 }.suffix(100), as: UTF8.self).utf8) : pathBytes
        bytes += block(
            name: fallbackName, size: size > octalLimit ? 0 : size, mtime: max(0, min(mtime, octalLimit)), type: UInt8(ascii: "0"))
        return bytes
    }

    /// The zero bytes that pad `size` bytes of data to a whole block.
    public static func padding(_ size: Int64) -> Int {
        let rest = Int(size % Int64(blockSize))
        return rest == 0 ? 0 : blockSize - rest
    }

    /// The end of an archive: two zero blocks.
    public static let endOfArchive = [UInt8](repeating: 0, count: 2 * blockSize)

    /// One pax record: `<length> <key>=<value>\n`, where the length counts itself.
    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while "\(length)".utf8.count + body.utf8.count != length { length += 1 }
        return Array("\(length)\(body)".utf8)
    }

    static func block(name: [UInt8], size: Int64, mtime: Int64, type: UInt8) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (index, byte) in bytes.enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(Array(name.prefix(100)), at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(mtime, width: 12), at: 136)
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)
        header[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let sum = header.reduce(0) { $0 + Int64($1) }
        put(Array(String(sum, radix: 8).leftPadded(to: 6).utf8) + [0, UInt8(ascii: " ")], at: 148)
        return header
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
