import Foundation

@testable import Archive

/// Builds small zip and tar.gz archives the way the pipeline does (members deflated on their own,
/// framed afterwards), and runs the independent tools that check them.
enum ArchiveFixture {
    static let longName = String(repeating: "long-folder-name/", count: 8) + "file-with-a-name-past-the-ustar-limit.txt"

    /// Members with a long name, an empty file, a non-ASCII name and binary data.
    static let members: [(name: String, bytes: [UInt8])] = [
        ("a.txt", Array(String(repeating: "hello zip\n", count: 500).utf8)),
        ("dir/b.bin", (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 * 7919) ^ ($0 >> 5)) }),
        ("empty", []),
        ("unicodé/ß.txt", Array("ünïcode".utf8)),
        (longName, Array("far away\n".utf8)),
    ]

    static func deflate(_ bytes: [UInt8], flush: GzipDeflater.Flush) throws -> [UInt8] {
        let deflater = try GzipDeflater(level: 6, raw: true)
        deflater.reset()
        var out: [UInt8] = []
        try bytes.withUnsafeBytes { try deflater.compress($0, flush: flush) { out.append(contentsOf: $0) } }
        return out
    }

    static func zip(_ members: [(name: String, bytes: [UInt8])] = members, layout: ZipLayout = ZipLayout()) throws -> [UInt8] {
        var archive: [UInt8] = []
        var entries: [ZipEntry] = []
        for member in members {
            let data = try deflate(member.bytes, flush: .finish)
            let entry = ZipEntry(
                name: member.name, crc32: member.bytes.withUnsafeBytes { CRC32.update(0, $0) }, compressedSize: UInt64(data.count),
                uncompressedSize: UInt64(member.bytes.count), offset: UInt64(archive.count), mtime: 1_700_000_000)
            archive += layout.localHeader(entry) + data
            entries.append(entry)
        }
        let directory = archive.count
        for entry in entries { archive += layout.centralHeader(entry) }
        archive += layout.endRecords(entries: entries.count, directoryOffset: UInt64(directory), directorySize: UInt64(archive.count - directory))
        return archive
    }

    /// A gzip stream whose deflate data is the members' fragments (each ending in a sync flush) joined, as pigz does.
    static func tarGz(_ members: [(name: String, bytes: [UInt8])] = members) throws -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        var crc: UInt32 = 0
        var length: Int64 = 0
        for member in members {
            let payload = TarLayout.header(path: member.name, size: Int64(member.bytes.count), mtime: 1_700_000_000) + member.bytes
                + [UInt8](repeating: 0, count: TarLayout.padding(Int64(member.bytes.count)))
            out += try deflate(payload, flush: .sync)
            crc = CRC32.combine(crc, payload.withUnsafeBytes { CRC32.update(0, $0) }, secondLength: Int64(payload.count))
            length += Int64(payload.count)
        }
        let end = TarLayout.endOfArchive
        out += try deflate(end, flush: .finish)
        crc = CRC32.combine(crc, end.withUnsafeBytes { CRC32.update(0, $0) }, secondLength: Int64(end.count))
        length += Int64(end.count)
        out += withUnsafeBytes(of: crc.littleEndian) { Array($0) } + withUnsafeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian) { Array($0) }
        return out
    }

    static func write(_ bytes: [UInt8], suffix: String) -> String {
        let path = NSTemporaryDirectory() + "pybak-archive-\(UUID().uuidString)\(suffix)"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Runs a tool; a missing tool is a failure (status 127), not a skip.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// What a scanner reports: member -> (length, SHA-256 hex, problem).
    final class Collector: ArchiveMemberVisitor {
        var members: [String: (length: Int64, sha256: String, problem: String?)] = [:]
        var order: [String] = []

        func memberStarts(_ name: String, size: Int64) throws -> Bool {
            order.append(name)
            return true
        }

        func memberData(_ chunk: UnsafeRawBufferPointer) throws {}

        func memberEnds(_ name: String, length: Int64, sha256: [UInt8], problem: String?) throws {
            members[name] = (length, Hex.encode(sha256), problem)
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        let hasher = SHA256Hasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return Hex.encode(hasher.finish())
    }

    /// Feeds `bytes` to a scanner in uneven chunks.
    static func scan(_ bytes: [UInt8], with scanner: any ArchiveScanner, chunk: Int = 7_777) throws {
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            try bytes[start..<end].withUnsafeBytes { try scanner.feed($0) }
            start = end
        }
        try scanner.finish()
    }
}
