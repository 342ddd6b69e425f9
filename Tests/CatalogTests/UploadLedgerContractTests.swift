import Foundation
import Testing

@testable import Catalog

/// The upload ledger as restore reads it, on SQLite and a real PostgreSQL server.
@Suite struct UploadLedgerContractTests {
    @Test(arguments: CatalogBackend.allCases) func uploadsOfAFileNameTheRecordedBucketKeyAndState(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let ledger = try #require(catalog as? any UploadLedger)
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let new = { (path: String) in
            NewFile(
                policy: "p", runId: run, sourcePath: path, size: 10, mtimeNanos: 1, sha256: path, destinationPath: "\(path)_X.gz", storedSize: 5,
                kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 2, disposition: .remove)
        }
        let ids = try catalog.recordPending([new("a"), new("b")])
        try catalog.markStored(ids: ids)
        try ledger.queueUploads(
            [
                UploadIntent(fileId: ids[0], target: "s3", bucket: "bk", key: "pre/a_X.gz"),
                UploadIntent(fileId: ids[0], target: "gcs", bucket: "gb", key: "g/a_X.gz"),
                UploadIntent(fileId: ids[1], target: "s3", bucket: "bk", key: "pre/b_X.gz"),
            ], dropLocalCopy: false)
        let pending = try ledger.pendingUploads(policy: "p", target: "s3")
        try ledger.recordUploaded(id: try #require(pending.first { $0.file.id == ids[0] }).id, url: "s3://bk/pre/a_X.gz", etag: "e1", at: "t")

        let rows = try ledger.uploads(fileId: ids[0])
        #expect(rows.map(\.target) == ["gcs", "s3"])
        let s3 = try #require(rows.last)
        #expect(s3.bucket == "bk" && s3.key == "pre/a_X.gz" && s3.state == "uploaded" && s3.etag == "e1" && s3.sourcePath == "a")
        #expect(rows.first?.state == "pending")
        #expect(try ledger.uploads(fileId: ids[1]).map(\.state) == ["pending"])
        #expect(try ledger.uploads(fileId: 999_999).isEmpty)
    }
}
