import Archive
import Catalog
import Foundation
import Logging
import PyBakCore

@testable import BackupPipeline

/// A source and destination folder in a fresh temporary folder, with helpers to run passes.
final class PassFixture {
    let root: String
    let source: String
    let destination: String

    init() {
        root = NSTemporaryDirectory() + "pybak-pass-\(UUID().uuidString)"
        source = "\(root)/src"
        destination = "\(root)/dst"
        try! FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes a file in the source, backdated so it is past the settle window.
    @discardableResult
    func write(_ relative: String, _ text: String, age: Double = 3600) -> String {
        write(relative, bytes: Array(text.utf8), age: age)
    }

    @discardableResult
    func write(_ relative: String, bytes: [UInt8], age: Double = 3600) -> String {
        let path = "\(source)/\(relative)"
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let when = Date(timeIntervalSinceNow: -age)
        try! FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: path)
        return path
    }

    func settings(keepSource: Bool = false, parallelism: Int = 2, minAge: Double = 10, include: [String] = [], destination: String? = nil) -> PassSettings {
        let dest = destination ?? self.destination
        return PassSettings(
            policyName: "test", sourceDir: source, destinationDir: dest,
            filter: PathFilter(include: include.map { try! GlobPattern($0) }), minAgeSeconds: minAge, level: 6,
            parallelism: parallelism, keepSource: keepSource, catalogPath: "\(dest)/.pybak/catalog.sqlite",
            logFilePath: "\(dest)/.pybak/pybak.log", dryRun: false
        )
    }

    func catalog(_ settings: PassSettings) throws -> SQLiteCatalog {
        let catalog = try SQLiteCatalog(path: settings.catalogPath)
        try catalog.migrate()
        return catalog
    }

    /// Runs one pass and returns its result and the catalog it wrote.
    func run(_ settings: PassSettings? = nil, opener: any SourceOpener = POSIXSourceOpener(), key: EncryptionKey? = nil) throws -> (PassResult, SQLiteCatalog) {
        let settings = settings ?? self.settings()
        try BackupPass.prepareDestination(settings)
        let catalog = try catalog(settings)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let result = try BackupPass(settings: settings, catalog: catalog, logger: logger, opener: opener, encryptionKey: key).run()
        return (result, catalog)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Every stored copy under the destination (not PyBak's state), relative.
    func storedCopies() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: destination)!
        var found: [String] = []
        while let item = enumerator.nextObject() as? String {
            if item.hasPrefix(".pybak") { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(destination)/\(item)", isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(item)
            }
        }
        return found.sorted()
    }

    /// Decompresses a stored copy with our inflater.
    func unpack(_ relative: String) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(destination)/\(relative)"))
        let inflater = try GzipInflater()
        var out: [UInt8] = []
        try data.withUnsafeBytes { try inflater.feed($0) { out.append(contentsOf: $0) } }
        return out
    }
}
