import Archive
import Catalog
import Foundation
import PyBakCore
import Testing

@testable import Recovery

@Suite struct ArchiveRecoveryTests {
    let fixture = RecoveryFixture()
    let key = try! EncryptionKey.generate()
    let files: [(String, [UInt8])] = [
        ("a.txt", Array("alpha".utf8)),
        ("d/big.bin", (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 % 253) }),
        (String(repeating: "p", count: 120) + "/x.txt", Array("deep".utf8)),
    ]

    @Test(arguments: [(StorageFormat.zip, false), (.zip, true), (.tarGz, false), (.tarGz, true)])
    func restoresEveryMemberAndOneAlone(format: StorageFormat, encrypted: Bool) throws {
        for (path, bytes) in files { fixture.write(path, bytes) }
        let key = encrypted ? self.key : nil
        let catalog = try fixture.pass(key: key, format: format)
        let source = LocalDestinationSource(root: fixture.destination)
        let restorer = try Restorer(catalog: catalog, source: source, key: key, logger: fixture.logger)
        let all = RestoreRequest(selector: .all, target: "\(fixture.root)/all")
        let items = restorer.restore(try restorer.select(all), into: all)
        #expect(items.count == files.count && items.allSatisfy { $0.error == nil })
        for (path, bytes) in files { #expect(fixture.read("\(fixture.root)/all/\(path)") == bytes) }
        let one = RestoreRequest(selector: .path("d/big.bin"), target: "\(fixture.root)/one")
        #expect(restorer.restore(try restorer.select(one), into: one).map(\.error) == [nil])
        #expect(fixture.read("\(fixture.root)/one/d/big.bin") == files[1].1)
        let verified = try Verifier(catalog: catalog, source: source, key: key, logger: fixture.logger).verify(try catalog.files(matching: FileQuery(copiesOnly: true)))
        #expect(verified.count == files.count && verified.allSatisfy { $0.error == nil })
    }

    @Test func verifyFindsTheCorruptZipMemberAndPassesTheOthers() throws {
        for (path, bytes) in files { fixture.write(path, bytes) }
        let catalog = try fixture.pass(key: nil, format: .zip)
        let row = try #require(try catalog.files(matching: FileQuery()).first { $0.sourcePath == "d/big.bin" })
        // Flip a byte in the middle of the archive: inside big.bin's deflate data (by far the largest member).
        let path = "\(fixture.destination)/\(row.destinationPath)"
        var bytes = try #require(fixture.read(path))
        bytes[bytes.count / 2] ^= 0x10
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let results = try Verifier(catalog: catalog, source: LocalDestinationSource(root: fixture.destination), key: nil, logger: fixture.logger)
            .verify(try catalog.files(matching: FileQuery(copiesOnly: true)))
        #expect(results.filter { $0.error != nil }.map(\.file.sourcePath) == ["d/big.bin"])
        #expect(results.first { $0.file.sourcePath == "d/big.bin" }?.error?.kind == .corrupt)
        #expect(try catalog.files(matching: FileQuery()).first { $0.sourcePath == "d/big.bin" }?.verifyError?.hasPrefix("corrupt") == true)
    }

    @Test func aMissingArchiveFailsEachOfItsRowsAsMissing() throws {
        for (path, bytes) in files { fixture.write(path, bytes) }
        let catalog = try fixture.pass(key: nil, format: .tarGz)
        let rows = try catalog.files(matching: FileQuery())
        try FileManager.default.removeItem(atPath: "\(fixture.destination)/\(rows[0].destinationPath)")
        let results = try Verifier(catalog: catalog, source: LocalDestinationSource(root: fixture.destination), key: nil, logger: fixture.logger).verify(rows)
        #expect(results.count == 3 && results.allSatisfy { $0.error?.kind == .missing })
    }
}
