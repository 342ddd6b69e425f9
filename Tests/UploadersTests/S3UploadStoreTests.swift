import Foundation
import Testing

@testable import Uploaders

/// Multipart UploadIds saved across passes, and the ListParts answers read when resuming one.
@Suite struct S3UploadStoreTests {
    let saved = S3UploadStore.Saved(uploadId: "u-1", bucket: "b", key: "p/a.gz", size: 20, partSize: 5, startedAt: 1000)

    @Test func aSavedUploadIsFoundForTheSameBucketAndKeyOnlyUntilRemoved() throws {
        let store = S3UploadStore(folder: NSTemporaryDirectory() + "s3-uploads-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: store.folder) }
        #expect(store.load(bucket: "b", key: "p/a.gz") == nil)
        try store.save(saved)
        #expect(store.load(bucket: "b", key: "p/a.gz") == saved)
        #expect(store.load(bucket: "other", key: "p/a.gz") == nil)
        #expect(store.load(bucket: "b", key: "p/b.gz") == nil)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: store.path(bucket: "b", key: "p/a.gz")))
        #expect(store.load(bucket: "b", key: "p/a.gz") == nil)
        try store.save(saved)
        store.remove(bucket: "b", key: "p/a.gz")
        #expect(store.load(bucket: "b", key: "p/a.gz") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.folder).isEmpty)
    }

    @Test func listPartsPagesAreRead() throws {
        let page = """
            <?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>b</Bucket><Key>p/a.gz</Key><UploadId>u-1</UploadId>\
            <NextPartNumberMarker>2</NextPartNumberMarker><IsTruncated>true</IsTruncated>\
            <Part><PartNumber>1</PartNumber><ETag>&quot;aa11&quot;</ETag><Size>5</Size></Part>\
            <Part><PartNumber>2</PartNumber><LastModified>2026-11-27T10:00:00Z</LastModified><ETag>"bb22"</ETag><Size>5</Size></Part></ListPartsResult>
            """
        let read = try #require(S3XML.listParts(page))
        #expect(read.parts == [.init(number: 1, etag: "aa11", size: 5), .init(number: 2, etag: "bb22", size: 5)])
        #expect(read.next == 2)
        let last = try #require(S3XML.listParts("<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>"))
        #expect(last.parts.isEmpty && last.next == nil)
        #expect(S3XML.listParts("<ListPartsResult><Part><PartNumber>1</PartNumber><Size>5</Size></Part></ListPartsResult>") == nil)
    }
}
