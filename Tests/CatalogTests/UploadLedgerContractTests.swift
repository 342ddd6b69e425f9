import Foundation
import Testing

@testable import Catalog

/// The upload ledger as restore reads it, on SQLite and a real PostgreSQL server.
@Suite struct UploadLedgerContractTests {
    @Test(arguments: CatalogBackend.allCases) func uploadsOfAFileNameTheRecordedBucketKeyAndState(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let ledger = try #require(catalog as? any UploadLedger)
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let ids = try catalog.recordPending([Self.stored(run, "a", in: "a_X.gz"), Self.stored(run, "b", in: "b_X.gz")])
        try catalog.markStored(ids: ids)
        try ledger.queueUploads(
            [
                UploadIntent(fileId: ids[0], target: "s3", bucket: "bk", key: "pre/a_X.gz"),
                UploadIntent(fileId: ids[0], target: "gcs", bucket: "gb", key: "g/a_X.gz"),
                UploadIntent(fileId: ids[1], target: "s3", bucket: "bk", key: "pre/b_X.gz"),
            ], dropLocalCopy: false)
        let pending = try ledger.pendingUploads(policy: "p", target: "s3")
        try ledger.recordUploaded(ids: [try #require(pending.first { $0.file.id == ids[0] }).id], url: "s3://bk/pre/a_X.gz", etag: "e1", at: "t")

        let rows = try ledger.uploads(fileId: ids[0])
        #expect(rows.map(\.target) == ["gcs", "s3"])
        let s3 = try #require(rows.last)
        #expect(s3.bucket == "bk" && s3.key == "pre/a_X.gz" && s3.state == "uploaded" && s3.etag == "e1" && s3.sourcePath == "a")
        #expect(rows.first?.state == "pending")
        #expect(try ledger.uploads(fileId: ids[1]).map(\.state) == ["pending"])
        #expect(try ledger.uploads(fileId: 999_999).isEmpty)
    }

    @Test(arguments: CatalogBackend.allCases) func membersOfOneArchiveShareOneObjectAndAreRecordedTogether(backend: CatalogBackend) throws {
        let catalog = try backend.open()
        let ledger = try #require(catalog as? any UploadLedger)
        let run = try catalog.startRun(policy: "p", trigger: .manual, passStamp: "S", startedAt: "t", host: "h")
        let ids = try catalog.recordPending(["a", "b", "c"].map { Self.stored(run, $0, in: "pybak-S.zip", member: true) })
        try ledger.queueUploads(ids.map { UploadIntent(fileId: $0, target: "s3", bucket: "bk", key: "pre/pybak-S.zip") }, dropLocalCopy: true)
        try catalog.markStored(ids: ids)
        let pending = try ledger.pendingUploads(policy: "p", target: "s3")
        #expect(pending.count == 3 && Set(pending.map(\.key)) == ["pre/pybak-S.zip"])

        try ledger.recordUploadFailure(ids: pending.map(\.id), error: "HTTP 503")
        #expect(try ledger.pendingUploads(policy: "p", target: "s3").map(\.attempts) == [1, 1, 1])
        #expect(try ledger.localCopiesReadyToDrop(policy: "p").isEmpty)
        #expect(try ledger.localCopyStates(fileIds: ids) == Dictionary(uniqueKeysWithValues: ids.map { ($0, LocalCopyState.drop) }))

        try ledger.recordUploaded(ids: pending.map(\.id), url: "s3://bk/pre/pybak-S.zip", etag: "e", at: "t")
        #expect(try ledger.pendingUploads(policy: "p", target: "s3").isEmpty)
        #expect(try ledger.localCopiesReadyToDrop(policy: "p").map(\.id) == ids)
        for id in ids {
            let rows = try ledger.uploads(fileId: id)
            #expect(rows.count == 1 && rows[0].state == "uploaded" && rows[0].url == "s3://bk/pre/pybak-S.zip" && rows[0].lastError == nil)
        }
        try ledger.setLocalCopy(.removed, ids: [ids[0]])
        let states = try ledger.localCopyStates(fileIds: ids + [999_999])
        #expect(states[ids[0]] == .removed && states[ids[1]] == .drop && states[999_999] == nil)
    }

    /// A stored row of policy `p` for `path`, its copy at `destination` (as a member named `path` when `member`).
    static func stored(_ run: Int64, _ path: String, in destination: String, member: Bool = false) -> NewFile {
        NewFile(
            policy: "p", runId: run, sourcePath: path, size: 10, mtimeNanos: 1, sha256: path, destinationPath: destination, storedSize: 5,
            kind: .stored, duplicateOf: nil, sourceDevice: 1, sourceInode: 2, disposition: .remove, archiveMember: member ? path : nil)
    }
}
