import Archive
import Catalog
import Foundation
import Logging
import PyBakCore
import Synchronization
import Testing
import Uploaders

@testable import BackupPipeline

/// An in-memory object store: keeps uploaded bytes, or fails while `failing` is set.
final class MemoryStore: ObjectUploader {
    let target = "s3"
    let bucket = "mem"
    let objects = Mutex<[String: [UInt8]]>([:])
    let failing = Atomic<Bool>(false)

    func key(forStoredPath storedPath: String) -> String { Self.joinKey(prefix: "p", storedPath) }

    func upload(file path: String, size: Int64, key: String) throws -> UploadedObject {
        if failing.load(ordering: .relaxed) { throw UploadError(path: "s3://mem/\(key)", "HTTP 503 — SlowDown", retryable: true) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Int64(bytes.count) == size)
        objects.withLock { $0[key] = bytes }
        return UploadedObject(url: "s3://mem/\(key)", key: key, etag: Hex.encode(Digest.md5(bytes)))
    }
}

@Suite("Uploads in the pass: queueing, retry next pass, cloud-only order")
struct CloudSyncTests {
    private func run(_ fixture: PassFixture, _ settings: PassSettings, _ store: MemoryStore) throws -> (PassResult, SQLiteCatalog) {
        try BackupPass.prepareDestination(settings)
        let catalog = try fixture.catalog(settings)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        return (try BackupPass(settings: settings, catalog: catalog, logger: logger, uploaders: [store]).run(), catalog)
    }

    @Test func failedUploadsArePartialAndRetriedNextPass() throws {
        let fixture = PassFixture()
        fixture.write("a/one.txt", "one")
        fixture.write("two.txt", "two")
        let store = MemoryStore()
        store.failing.store(true, ordering: .relaxed)
        var settings = fixture.settings()
        settings.cloud = CloudSettings(s3: S3Target(bucket: "mem"), keepLocalCopy: true)
        let (first, catalog) = try run(fixture, settings, store)
        #expect(first.status == .partial && first.exitCode == 3)
        // One retryable failure blocks the rest of the pass; both are failed and pending.
        #expect(first.counts.failed == 2 && first.counts.compressed == 2)
        #expect(try catalog.pendingUploads(policy: "test", target: "s3").count == 2)
        // Keeping the local copy, sources go as in a local pass.
        #expect(!fixture.exists("\(fixture.source)/two.txt"))

        store.failing.store(false, ordering: .relaxed)
        let (second, catalog2) = try run(fixture, settings, store)
        #expect(second.status == .succeeded)
        #expect(try catalog2.pendingUploads(policy: "test", target: "s3").isEmpty)
        let stored = fixture.storedCopies()
        let objects = store.objects.withLock { $0 }
        #expect(Set(objects.keys) == Set(stored.map { "p/\($0)" }))
        for path in stored { #expect(objects["p/\(path)"] == [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(fixture.destination)/\(path)")))) }
    }

    @Test func cloudOnlyKeepsSourceAndCopyUntilTheUploadSucceeded() throws {
        let fixture = PassFixture()
        fixture.write("keep.txt", "precious")
        fixture.write("dup.txt", "precious")
        let store = MemoryStore()
        store.failing.store(true, ordering: .relaxed)
        var settings = fixture.settings(parallelism: 1)
        settings.cloud = CloudSettings(s3: S3Target(bucket: "mem"), keepLocalCopy: false)
        _ = try run(fixture, settings, store)
        // The stored copy's source waits; the duplicate's content is held by the local copy, so its source went.
        let stored = fixture.storedCopies()
        #expect(stored.count == 1)
        let remaining = ["keep.txt", "dup.txt"].filter { fixture.exists("\(fixture.source)/\($0)") }
        #expect(remaining.count == 1)

        store.failing.store(false, ordering: .relaxed)
        let (second, catalog) = try run(fixture, settings, store)
        #expect(second.status == .succeeded)
        #expect(fixture.storedCopies().isEmpty)
        #expect(!fixture.exists("\(fixture.source)/keep.txt") && !fixture.exists("\(fixture.source)/dup.txt"))
        #expect(store.objects.withLock { $0.count } == 1)
        #expect(try catalog.localCopiesReadyToDrop(policy: "test").isEmpty)
        #expect(try catalog.filesAwaitingRemoval(policy: "test").isEmpty)
    }
}
