import Foundation
import Testing

@testable import Uploaders

/// Resumable sessions saved across passes: reused only for the same object and content, while young enough.
@Suite struct GCSSessionStoreTests {
    func store() -> GCSSessionStore {
        GCSSessionStore(folder: NSTemporaryDirectory() + "gcs-sessions-\(UUID().uuidString)", maxAge: 100)
    }

    let saved = GCSSessionStore.Saved(session: "http://e/upload?upload_id=1", bucket: "b", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", startedAt: 1000)

    @Test func aSavedSessionIsFoundForTheSameObjectAndContentOnly() throws {
        let sessions = store()
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", now: 1001) == nil)
        try sessions.save(saved)
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", now: 1050) == saved)
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 11, crc32c: "AAAAAA==", now: 1050) == nil)
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 10, crc32c: "BBBBBB==", now: 1050) == nil)
        #expect(sessions.load(bucket: "other", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", now: 1050) == nil)
        #expect(sessions.load(bucket: "b", name: "p/b.gz", size: 10, crc32c: "AAAAAA==", now: 1050) == nil)
        // Older than maxAge: GCS would have expired it.
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", now: 1100) == nil)
        sessions.remove(bucket: "b", name: "p/a.gz")
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", now: 1050) == nil)
        try? FileManager.default.removeItem(atPath: sessions.folder)
    }

    @Test func anUnreadableFileIsIgnored() throws {
        let sessions = store()
        try sessions.save(saved)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: sessions.path(bucket: "b", name: "p/a.gz")))
        #expect(sessions.load(bucket: "b", name: "p/a.gz", size: 10, crc32c: "AAAAAA==", now: 1050) == nil)
        #expect(sessions.path(bucket: "b", name: "p/a.gz") != sessions.path(bucket: "b", name: "p/b.gz"))
        try? FileManager.default.removeItem(atPath: sessions.folder)
    }
}
