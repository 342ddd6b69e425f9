import Foundation
import Testing

@testable import Archive

@Suite struct TarLayoutTests {
    @Test func aLongNameGetsAPaxPathRecordAndValidChecksums() throws {
        let header = TarLayout.header(path: ArchiveFixture.longName, size: 9, mtime: 1_700_000_000)
        #expect(header.count == 3 * TarLayout.blockSize)  // pax header, its records, the ustar header
        #expect(header[156] == UInt8(ascii: "x"))
        #expect(header[2 * 512 + 156] == UInt8(ascii: "0"))
        let records = String(decoding: header[512..<1024].prefix { $0 != 0 }, as: UTF8.self)
        #expect(records == "\(records.utf8.count) path=\(ArchiveFixture.longName)\n")
        for block in [0, 2] {
            let bytes = Array(header[(block * 512)..<((block + 1) * 512)])
            let sum = bytes.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 32 : Int($1.element)) }
            #expect(TarScanner.octal(bytes[148..<156]) == Int64(sum))
        }
    }

    @Test func aShortASCIINameIsPlainUstar() {
        let header = TarLayout.header(path: "dir/file.txt", size: 12_345, mtime: 1_700_000_000)
        #expect(header.count == TarLayout.blockSize)
        #expect(String(decoding: header[257..<262], as: UTF8.self) == "ustar")
        #expect(TarScanner.octal(header[124..<136]) == 12_345)
    }

    @Test func sizesPastTheOctalFieldGoToPax() {
        let header = TarLayout.header(path: "big", size: 10 << 30, mtime: 1_700_000_000)
        #expect(String(decoding: header[512..<1024].prefix { $0 != 0 }, as: UTF8.self).contains(" size=\(10 << 30)\n"))
    }

    @Test(arguments: [("path", "x"), ("path", String(repeating: "y", count: 92)), ("path", String(repeating: "z", count: 993))])
    func paxRecordLengthCountsItself(key: String, value: String) {
        let record = String(decoding: TarLayout.paxRecord(key, value), as: UTF8.self)
        let length = Int(record.prefix { $0 != " " })
        #expect(length == record.utf8.count)
    }

    @Test func tarAndPythonTarfileReadTheJoinedStream() throws {
        let path = ArchiveFixture.write(try ArchiveFixture.tarGz(), suffix: ".tar.gz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let listing = try ArchiveFixture.run(["tar", "-tzf", path])
        #expect(listing.status == 0, "\(listing.output)")
        #expect(listing.output.split(separator: "\n").map(String.init) == ArchiveFixture.members.map(\.name))
        let gzip = try ArchiveFixture.run(["gzip", "-t", path])
        #expect(gzip.status == 0, "\(gzip.output)")
        let python = try ArchiveFixture.run([
            "python3", "-c",
            "import hashlib, json, sys, tarfile\nt = tarfile.open(sys.argv[1])\nprint(json.dumps({m.name: hashlib.sha256(t.extractfile(m).read()).hexdigest() for m in t}))",
            path,
        ])
        #expect(python.status == 0, "\(python.output)")
        let hashes = try JSONSerialization.jsonObject(with: Data(python.output.utf8)) as? [String: String] ?? [:]
        #expect(hashes == Dictionary(uniqueKeysWithValues: ArchiveFixture.members.map { ($0.name, ArchiveFixture.sha256($0.bytes)) }))
    }

    @Test func scannerReadsBackEveryMember() throws {
        let collector = ArchiveFixture.Collector()
        try ArchiveFixture.scan(try ArchiveFixture.tarGz(), with: try TarGzScanner(visitor: collector))
        #expect(collector.order == ArchiveFixture.members.map(\.name))
        for member in ArchiveFixture.members {
            #expect(collector.members[member.name]?.sha256 == ArchiveFixture.sha256(member.bytes))
        }
    }

    @Test func scannerReadsATarThatGNUTarWrote() throws {
        let folder = NSTemporaryDirectory() + "pybak-gnutar-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: "\(folder)/in/\(String(repeating: "d", count: 120))", withIntermediateDirectories: true)
        let name = "\(String(repeating: "d", count: 120))/file.txt"
        FileManager.default.createFile(atPath: "\(folder)/in/\(name)", contents: Data("gnu tar\n".utf8))
        let made = try ArchiveFixture.run(["tar", "--format=pax", "-czf", "\(folder)/a.tar.gz", "-C", "\(folder)/in", name])
        #expect(made.status == 0, "\(made.output)")
        let collector = ArchiveFixture.Collector()
        try ArchiveFixture.scan(Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/a.tar.gz"))), with: try TarGzScanner(visitor: collector))
        #expect(collector.members[name]?.sha256 == ArchiveFixture.sha256(Array("gnu tar\n".utf8)))
    }

    @Test func aTruncatedTarGzIsRefused() throws {
        let bytes = try ArchiveFixture.tarGz()
        #expect(throws: ArchiveError.self) {
            try ArchiveFixture.scan(Array(bytes.prefix(bytes.count - 30)), with: try TarGzScanner(visitor: ArchiveFixture.Collector()))
        }
    }
}
