@testable import Catalog
import Foundation
import Logging
import PyBakCore
import Testing

@testable import Recovery

/// A store in memory that counts what was opened.
final class MemorySource: StoredObjectSource, @unchecked Sendable {
    let location: String
    var objects: [String: [UInt8]]
    var opened: [String] = []

    init(_ location: String, _ objects: [String: [UInt8]]) {
        self.location = location
        self.objects = objects
    }

    func open(_ path: String) throws -> any StoredObjectReader {
        opened.append(path)
        guard let bytes = objects[path] else { throw StoredObjectError.missing(location: location, path: path) }
        return MemoryReader(bytes)
    }
}

final class MemoryReader: StoredObjectReader {
    var rest: [UInt8]
    init(_ bytes: [UInt8]) { rest = bytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, rest.count)
        buffer.copyBytes(from: rest.prefix(n))
        rest.removeFirst(n)
        return n
    }
}

/// Which store each file's copy is read from, and the fallback from the destination to the recorded cloud object.
@Suite struct CopyLocatorTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func row(_ id: Int64, _ path: String, duplicateOf: Int64? = nil) -> FileRecord {
        FileRecord(
            id: id, policy: "p", runId: 1, sourcePath: path, size: 1, mtimeNanos: 0, sha256: "", destinationPath: "\(path)_T.gz", storedSize: 1,
            kind: duplicateOf == nil ? .stored : .duplicate, duplicateOf: duplicateOf, state: .stored, sourceDevice: 0, sourceInode: 0,
            disposition: .removed, createdAt: "t")
    }

    func upload(_ fileId: Int64, _ key: String, state: String = "uploaded", target: String = "s3", bucket: String = "bk") -> UploadRecord {
        UploadRecord(fileId: fileId, sourcePath: "", target: target, bucket: bucket, key: key, state: state, url: nil, etag: nil, attempts: 2, lastError: state == "pending" ? "HTTP 503" : nil)
    }

    /// A locator over `local`, a ledger and an S3 store; records which buckets were opened.
    func locator(
        _ choice: CopySource, local: MemorySource, cloud: MemorySource, ledger: [Int64: [UploadRecord]], buckets: Box,
        localCopies: [Int64: LocalCopyState] = [:]
    ) -> CopyLocator {
        CopyLocator(
            choice: choice, local: local, uploads: { ledger[$0] ?? [] },
            cloud: { target, bucket in
                buckets.value.append("\(target):\(bucket)")
                guard target == "s3" else { throw RecoveryError(.io, "GCS restore is not available in this build") }
                return cloud
            }, localCopy: { localCopies[$0] }, logger: logger)
    }

    final class Box: @unchecked Sendable { var value: [String] = [] }

    @Test func automaticReadsTheLocalCopyWhenItIsThere() throws {
        let local = MemorySource("/dst", ["a_T.gz": [1]])
        let cloud = MemorySource("s3://bk", ["k/a_T.gz": [2]])
        let buckets = Box()
        let opened = try locator(.automatic, local: local, cloud: cloud, ledger: [1: [upload(1, "k/a_T.gz")]], buckets: buckets).open(row(1, "a"))
        #expect(opened.store == "local" && opened.name == "a_T.gz")
        #expect(cloud.opened.isEmpty && buckets.value.isEmpty)
    }

    @Test func automaticFallsBackToTheRecordedKeyNotARecomputedOne() throws {
        let local = MemorySource("/dst", [:])
        let cloud = MemorySource("s3://bk", ["recorded/elsewhere/a_T.gz": [2]])
        let buckets = Box()
        let located = locator(.automatic, local: local, cloud: cloud, ledger: [1: [upload(1, "recorded/elsewhere/a_T.gz")]], buckets: buckets)
        let opened = try located.open(row(1, "a"))
        #expect(opened.store == "s3" && opened.name == "s3://bk/recorded/elsewhere/a_T.gz")
        #expect(local.opened == ["a_T.gz"] && cloud.opened == ["recorded/elsewhere/a_T.gz"] && buckets.value == ["s3:bk"])
        // A duplicate reads its original's upload; the store is opened once per bucket.
        _ = try located.open(row(2, "dup", duplicateOf: 1))
        #expect(cloud.opened.count == 2 && buckets.value == ["s3:bk"])
    }

    @Test func automaticWithoutAnUploadedObjectReportsTheLocalCopyMissing() throws {
        let local = MemorySource("/dst", [:])
        let cloud = MemorySource("s3://bk", ["k": [2]])
        let located = locator(.automatic, local: local, cloud: cloud, ledger: [1: [upload(1, "k", state: "pending")]], buckets: Box())
        let error = #expect(throws: RecoveryError.self) { try located.open(row(1, "a")) }
        #expect(error?.kind == .missing && error?.message.contains("records no uploaded cloud copy") == true)
        #expect(cloud.opened.isEmpty)
    }

    @Test func fromS3NeverReadsTheDestinationAndNamesPendingAndUnqueuedCopies() throws {
        let local = MemorySource("/dst", ["a_T.gz": [1], "b_T.gz": [1], "c_T.gz": [1]])
        let cloud = MemorySource("s3://bk", ["k/a": [2]])
        let ledger: [Int64: [UploadRecord]] = [1: [upload(1, "k/a")], 2: [upload(2, "k/b", state: "pending")], 4: [upload(4, "k/gone")]]
        let located = locator(.cloud("s3"), local: local, cloud: cloud, ledger: ledger, buckets: Box())
        #expect(try located.open(row(1, "a")).name == "s3://bk/k/a")
        let pending = #expect(throws: RecoveryError.self) { try located.open(row(2, "b")) }
        #expect(pending?.kind == .missing && pending?.message.contains("pending") == true && pending?.message.contains("HTTP 503") == true)
        let unqueued = #expect(throws: RecoveryError.self) { try located.open(row(3, "c")) }
        #expect(unqueued?.message.contains("never sent to s3") == true)
        let gone = #expect(throws: RecoveryError.self) { try located.open(row(4, "d")) }
        #expect(gone?.kind == .missing && gone?.message.contains("k/gone is missing from s3://bk") == true)
        #expect(local.opened.isEmpty)
        #expect(try located.isExpected(row(2, "b")) && !(try located.isExpected(row(3, "c"))))
    }

    @Test func aStoreThatCannotBeOpenedFailsEachFileOnceWithItsReason() throws {
        let local = MemorySource("/dst", [:])
        let buckets = Box()
        let ledger: [Int64: [UploadRecord]] = [1: [upload(1, "g/a", target: "gcs", bucket: "gb")], 2: [upload(2, "g/b", target: "gcs", bucket: "gb")]]
        let located = locator(.automatic, local: local, cloud: MemorySource("s3://bk", [:]), ledger: ledger, buckets: buckets)
        for id: Int64 in [1, 2] {
            let error = #expect(throws: RecoveryError.self) { try located.open(row(id, "f\(id)")) }
            #expect(error?.message.contains("GCS restore is not available in this build") == true)
        }
        #expect(buckets.value == ["gcs:gb"])
    }

    @Test func fromLocalDoesNotFallBack() throws {
        let local = MemorySource("/dst", [:])
        let cloud = MemorySource("s3://bk", ["k": [2]])
        let located = locator(.local, local: local, cloud: cloud, ledger: [1: [upload(1, "k")]], buckets: Box())
        let error = #expect(throws: RecoveryError.self) { try located.open(row(1, "a")) }
        #expect(error?.kind == .missing && cloud.opened.isEmpty)
    }

    @Test func recordedReadsRemovedLocalCopiesFromTheCloudAndReportsOtherMissingCopies() throws {
        let local = MemorySource("/dst", ["b_T.gz": [1]])
        let cloud = MemorySource("s3://bk", ["k/a": [2], "k/b": [2], "k/c": [2]])
        let ledger: [Int64: [UploadRecord]] = [1: [upload(1, "k/a")], 2: [upload(2, "k/b")], 3: [upload(3, "k/c")], 4: [upload(4, "k/d", state: "pending")]]
        let states: [Int64: LocalCopyState] = [1: .removed, 2: .kept, 3: .kept, 4: .removed]
        let located = locator(.recorded, local: local, cloud: cloud, ledger: ledger, buckets: Box(), localCopies: states)
        // Removed after upload: the object; a duplicate follows its original.
        #expect(try located.open(row(1, "a")).name == "s3://bk/k/a")
        #expect(try located.open(row(5, "dup", duplicateOf: 1)).store == "s3")
        // Kept: the destination, even though an uploaded object exists.
        #expect(try located.open(row(2, "b")).store == "local")
        // Kept but gone from the destination: missing, not quietly read from the cloud.
        let lost = #expect(throws: RecoveryError.self) { try located.open(row(3, "c")) }
        #expect(lost?.kind == .missing && lost?.message.contains("c_T.gz") == true)
        #expect(!cloud.opened.contains("k/c"))
        let pending = #expect(throws: RecoveryError.self) { try located.open(row(4, "d")) }
        #expect(pending?.kind == .missing && pending?.message.contains("removed after its upload") == true)
        #expect(try located.isExpected(row(3, "c")))
    }

    @Test(arguments: [("local", CopySource.local), ("s3", .cloud("s3")), ("GCS", .cloud("gcs")), ("auto", .automatic)])
    func parsesFromValues(text: String, expected: CopySource) {
        #expect(CopySource.parse(text) == expected)
        #expect(CopySource.parse("ftp") == nil && CopySource.parse(nil) == .automatic)
    }
}
