import Foundation
import Testing

@testable import Archive

@Suite struct ZipLayoutTests {
    /// Python's zipfile: testzip() finds nothing, and every member's bytes are what was stored.
    static let pythonCheck = """
        import hashlib, json, sys, zipfile
        z = zipfile.ZipFile(sys.argv[1])
        assert z.testzip() is None, z.testzip()
        print(json.dumps({i.filename: [i.file_size, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()}))
        """

    @Test(arguments: [false, true])
    func pythonZipfileAndUnzipAcceptTheArchive(forceZip64: Bool) throws {
        let layout = forceZip64 ? ZipLayout(sizeThreshold: 0, entryThreshold: 0) : ZipLayout()
        let bytes = try ArchiveFixture.zip(layout: layout)
        let path = ArchiveFixture.write(bytes, suffix: ".zip")
        defer { try? FileManager.default.removeItem(atPath: path) }

        let python = try ArchiveFixture.run(["python3", "-c", Self.pythonCheck, path])
        #expect(python.status == 0, "\(python.output)")
        let listed = try JSONSerialization.jsonObject(with: Data(python.output.utf8)) as? [String: [Any]] ?? [:]
        for member in ArchiveFixture.members {
            #expect(listed[member.name]?.first as? Int == member.bytes.count)
            #expect(listed[member.name]?.last as? String == ArchiveFixture.sha256(member.bytes))
        }
        let unzip = try ArchiveFixture.run(["unzip", "-t", path])
        #expect(unzip.status == 0, "\(unzip.output)")
        #expect(unzip.output.contains("No errors detected"))

        // ZIP64 end records exactly when forced.
        let zip64End: [UInt8] = [0x50, 0x4B, 0x06, 0x06]
        let hasZip64End = (0..<(bytes.count - 3)).contains { Array(bytes[$0..<($0 + 4)]) == zip64End }
        #expect(hasZip64End == forceZip64)
    }

    @Test(arguments: [false, true])
    func scannerReadsBackEveryMember(forceZip64: Bool) throws {
        let layout = forceZip64 ? ZipLayout(sizeThreshold: 0, entryThreshold: 0) : ZipLayout()
        let collector = ArchiveFixture.Collector()
        try ArchiveFixture.scan(try ArchiveFixture.zip(layout: layout), with: try ZipScanner(visitor: collector))
        #expect(collector.order == ArchiveFixture.members.map(\.name))
        for member in ArchiveFixture.members {
            let seen = try #require(collector.members[member.name])
            #expect(seen.length == Int64(member.bytes.count))
            #expect(seen.sha256 == ArchiveFixture.sha256(member.bytes))
            #expect(seen.problem == nil)
        }
    }

    @Test func scannerReadsAZipThatPythonWrote() throws {
        let path = NSTemporaryDirectory() + "pybak-python-\(UUID().uuidString).zip"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let made = try ArchiveFixture.run([
            "python3", "-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('x/y.txt', 'python ' * 999)", path,
        ])
        #expect(made.status == 0, "\(made.output)")
        let collector = ArchiveFixture.Collector()
        try ArchiveFixture.scan(Array(try Data(contentsOf: URL(fileURLWithPath: path))), with: try ZipScanner(visitor: collector))
        #expect(collector.members["x/y.txt"]?.sha256 == ArchiveFixture.sha256(Array(String(repeating: "python ", count: 999).utf8)))
    }

    @Test func aFlippedDataByteIsReportedForItsMemberOnly() throws {
        var bytes = try ArchiveFixture.zip()
        let header = ZipLayout().localHeader(
            ZipEntry(name: "a.txt", crc32: 0, compressedSize: 0, uncompressedSize: 0, offset: 0, mtime: 1_700_000_000))
        bytes[header.count + 5] ^= 0x40  // inside a.txt's deflate data
        let collector = ArchiveFixture.Collector()
        try ArchiveFixture.scan(bytes, with: try ZipScanner(visitor: collector))
        #expect(collector.members["a.txt"]?.problem != nil)
        #expect(collector.members["dir/b.bin"]?.problem == nil)
    }

    @Test func aTruncatedArchiveIsRefused() throws {
        let bytes = try ArchiveFixture.zip()
        let collector = ArchiveFixture.Collector()
        #expect(throws: ArchiveError.self) {
            try ArchiveFixture.scan(Array(bytes.prefix(bytes.count / 2)), with: try ZipScanner(visitor: collector))
        }
    }

    @Test func dosTimeIsUTCAndClampedTo1980() {
        // 2023-11-14 22:13:20 UTC
        let (time, date) = ZipLayout.dosTime(1_700_000_000)
        #expect(time == (22 << 11 | 13 << 5 | 10))
        #expect(date == ((2023 - 1980) << 9 | 11 << 5 | 14))
        #expect(ZipLayout.dosTime(0).date == (0 << 9 | 1 << 5 | 1))
    }
}
