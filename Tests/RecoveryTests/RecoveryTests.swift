import Archive
import BackupPipeline
import Catalog
import Foundation
import Logging
import PyBakCore
import Testing

@testable import Recovery

/// A pass into a temporary destination, then restore/verify from it.
final class RecoveryFixture {
    let root = NSTemporaryDirectory() + "pybak-recovery-\(UUID().uuidString)"
    var source: String { "\(root)/src" }
    var destination: String { "\(root)/dst" }
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    init() { try! FileManager.default.createDirectory(atPath: "\(root)/src", withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ relative: String, _ bytes: [UInt8], mtime: Date = Date(timeIntervalSinceNow: -3600)) {
        let path = "\(source)/\(relative)"
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        try! FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path)
    }

    func pass(key: EncryptionKey?, format: StorageFormat = .gzip) throws -> SQLiteCatalog {
        var settings = PassSettings(
            policyName: "p", sourceDir: source, destinationDir: destination, filter: PathFilter(include: []), minAgeSeconds: 10, level: 6,
            parallelism: 2, keepSource: false, catalogPath: "\(destination)/.pybak/catalog.sqlite", logFilePath: "\(destination)/.pybak/log",
            dryRun: false)
        settings.format = format
        try BackupPass.prepareDestination(settings)
        let catalog = try SQLiteCatalog(path: settings.catalogPath)
        try catalog.migrate()
        _ = try BackupPass(settings: settings, catalog: catalog, logger: logger, encryptionKey: key).run()
        return catalog
    }

    func read(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map(Array.init) }
}

@Suite struct RestorerTests {
    let fixture = RecoveryFixture()
    let key = try! EncryptionKey.generate()

    @Test func restoresBytesAndMtimeOfEncryptedCopies() throws {
        let data = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        fixture.write("d/f.bin", data, mtime: when)
        let catalog = try fixture.pass(key: key)
        let restorer = try Restorer(catalog: catalog, source: LocalDestinationSource(root: fixture.destination), key: key, logger: fixture.logger)
        let request = RestoreRequest(selector: .all, target: "\(fixture.root)/out")
        let items = restorer.restore(try restorer.select(request), into: request)
        #expect(items.count == 1 && items[0].error == nil)
        #expect(fixture.read("\(fixture.root)/out/d/f.bin") == data)
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(fixture.root)/out/d/f.bin")
        #expect((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 == when.timeIntervalSince1970)
        // A second restore refuses to overwrite.
        let again = restorer.restore(try restorer.select(request), into: request)
        #expect(again[0].errorKind == .exists)
    }

    @Test func refusesAWrongKeyByIdBeforeReading() throws {
        fixture.write("s.txt", Array("secret".utf8))
        let catalog = try fixture.pass(key: key)
        let restorer = try Restorer(
            catalog: catalog, source: LocalDestinationSource(root: fixture.destination), key: try EncryptionKey.generate(), logger: fixture.logger)
        let request = RestoreRequest(selector: .path("s.txt"), target: "\(fixture.root)/out")
        let items = restorer.restore(try restorer.select(request), into: request)
        #expect(items[0].errorKind == .key && items[0].error?.contains(key.id) == true)
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.root)/out/s.txt"))
    }

    @Test func aCorruptCopyLeavesNoFileBehind() throws {
        fixture.write("c.txt", Array(repeating: 65, count: 100_000))
        let catalog = try fixture.pass(key: nil)
        let row = try #require(try catalog.files(matching: FileQuery()).first)
        let path = "\(fixture.destination)/\(row.destinationPath)"
        var bytes = try #require(fixture.read(path))
        bytes[bytes.count - 6] ^= 0xff  // the gzip length/CRC trailer
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let restorer = try Restorer(catalog: catalog, source: LocalDestinationSource(root: fixture.destination), key: nil, logger: fixture.logger)
        let request = RestoreRequest(selector: .all, target: "\(fixture.root)/out")
        let items = restorer.restore(try restorer.select(request), into: request)
        #expect(items[0].errorKind == .corrupt)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(fixture.root)/out")) ?? []
        #expect(left.isEmpty)
    }
}

@Suite struct VerifierTests {
    let fixture = RecoveryFixture()

    @Test func recordsGoodMissingAndCorruptCopies() throws {
        let key = try EncryptionKey.generate()
        for i in 0..<4 { fixture.write("f\(i)", Array("file \(i) ".utf8) + Array(repeating: UInt8(i), count: 10_000)) }
        let catalog = try fixture.pass(key: key)
        let rows = try catalog.files(matching: FileQuery())
        try FileManager.default.removeItem(atPath: "\(fixture.destination)/\(rows[0].destinationPath)")
        let corrupt = "\(fixture.destination)/\(rows[1].destinationPath)"
        var bytes = try #require(fixture.read(corrupt))
        bytes[50] ^= 1
        FileManager.default.createFile(atPath: corrupt, contents: Data(bytes))
        let verifier = try Verifier(catalog: catalog, source: LocalDestinationSource(root: fixture.destination), key: key, logger: fixture.logger)
        let results = try verifier.verify(try verifier.select(policy: nil, percent: 100))
        #expect(results.map { $0.error?.kind } == [.missing, .corrupt, nil, nil])
        let after = try catalog.files(matching: FileQuery())
        #expect(after.allSatisfy { $0.verifiedAt != nil })
        #expect(after.map { $0.verifyError == nil } == [false, false, true, true])
        #expect(try verifier.select(policy: nil, percent: 30).count == 2)
        #expect(try verifier.select(policy: nil, percent: 1).count == 1)
    }
}
