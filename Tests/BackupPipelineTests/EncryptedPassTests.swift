import Archive
import Catalog
import Foundation
import Testing

@testable import BackupPipeline

@Suite struct EncryptedPassTests {
    let fixture = PassFixture()
    let key = try! EncryptionKey.generate()

    func open(_ relative: String, key: EncryptionKey) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixture.destination)/\(relative)"))
        let decryptor = try StreamingDecryptor()
        decryptor.begin(key: key)
        let inflater = try GzipInflater()
        var out: [UInt8] = []
        let inflate: (UnsafeRawBufferPointer) throws -> Void = { chunk in try inflater.feed(chunk) { out.append(contentsOf: $0) } }
        try data.withUnsafeBytes { try decryptor.feed($0, sink: inflate) }
        try decryptor.finish(sink: inflate)
        #expect(inflater.finished)
        return out
    }

    @Test func storesEncryptedCopiesWithTheKeyIdInTheCatalog() throws {
        let big = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
        fixture.write("big.bin", bytes: big)
        fixture.write("a/small.txt", "hello")
        fixture.write("a/copy.txt", "hello")
        let (result, catalog) = try fixture.run(key: key)
        #expect(result.counts.compressed == 2 && result.counts.duplicate == 1)
        let rows = try catalog.files(runId: result.runId)
        #expect(rows.allSatisfy { $0.keyId == key.id })
        for row in rows where row.kind == .stored {
            #expect(row.destinationPath.hasSuffix(".gz.enc"))
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(fixture.destination)/\(row.destinationPath)")
            #expect((attributes[.size] as? NSNumber)?.int64Value == row.storedSize)
        }
        let bigRow = try #require(rows.first { $0.sourcePath == "big.bin" })
        #expect(try open(bigRow.destinationPath, key: key) == big)
        let other = try EncryptionKey.generate()
        #expect(throws: ArchiveError.self) { try open(bigRow.destinationPath, key: other) }
    }

    @Test func aLaterPlainPassPointsDuplicatesAtTheEncryptedCopy() throws {
        fixture.write("x.txt", "same")
        _ = try fixture.run(key: key)
        fixture.write("y.txt", "same")
        let (result, catalog) = try fixture.run()
        let row = try #require(try catalog.files(runId: result.runId).first)
        #expect(row.kind == .duplicate && row.keyId == key.id && row.destinationPath.hasSuffix(".gz.enc"))
    }
}
