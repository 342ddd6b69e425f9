import Foundation

extension SQLiteCatalog: UploadLedger {
    public func queueUploads(_ intents: [UploadIntent], dropLocalCopy: Bool) throws {
        guard !intents.isEmpty else { return }
        let now = WallClockText.now()
        try db.transaction {
            let insert = try db.statement("""
                INSERT OR IGNORE INTO uploads (file_id, target, bucket, object_key, state, queued_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)
                """)
            for intent in intents {
                insert.reset()
                try insert.bind(.int(intent.fileId), .text(intent.target), .text(intent.bucket), .text(intent.key), .text(now)).run()
            }
            if dropLocalCopy {
                let mark = try db.statement("UPDATE files SET local_copy = 'drop' WHERE id = ?1 AND local_copy = 'kept'")
                for id in Set(intents.map(\.fileId)) {
                    mark.reset()
                    try mark.bind(.int(id)).run()
                }
            }
        }
    }

    public func pendingUploads(policy: String, target: String) throws -> [PendingUpload] {
        try db.statement(CatalogRows.pendingUploadsQuery(policy: "?1", target: "?2")).bind(.text(policy), .text(target))
            .rows { CatalogRows.pendingUpload($0) }
    }

    public func recordUploaded(ids: [Int64], url: String, etag: String, at: String) throws {
        try update(
            "UPDATE uploads SET state = 'uploaded', url = ?1, etag = ?2, uploaded_at = ?3, last_error = NULL WHERE id IN (IDS)", ids: ids,
            with: [.text(url), .text(etag), .text(at)])
    }

    public func recordUploadFailure(ids: [Int64], error: String) throws {
        try update("UPDATE uploads SET attempts = attempts + 1, last_error = ?1 WHERE id IN (IDS)", ids: ids, with: [.text(error)])
    }

    public func localCopiesReadyToDrop(policy: String) throws -> [FileRecord] {
        try db.statement("""
            SELECT \(CatalogRows.fileColumns) FROM files f WHERE policy = ?1 AND state = 'stored' AND local_copy = 'drop'
              AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.file_id = f.id AND u.state != 'uploaded') ORDER BY id
            """).bind(.text(policy)).rows { CatalogRows.fileRecord($0) }
    }

    public func localCopyStates(fileIds: [Int64]) throws -> [Int64: LocalCopyState] {
        var states: [Int64: LocalCopyState] = [:]
        for start in stride(from: 0, to: fileIds.count, by: Self.chunk) {
            let chunk = Self.padded(Array(fileIds[start..<min(start + Self.chunk, fileIds.count)]))
            let marks = (1...chunk.count).map { "?\($0)" }.joined(separator: ",")
            for (id, state) in try db.statement("SELECT id, local_copy FROM files WHERE id IN (\(marks))").bind(chunk.map { .int($0) })
                .rows({ ($0.int(0), $0.text(1)) })
            {
                states[id] = LocalCopyState(rawValue: state)
            }
        }
        return states
    }

    public func setLocalCopy(_ state: LocalCopyState, ids: [Int64]) throws {
        try update("UPDATE files SET local_copy = ?1 WHERE id IN (IDS)", ids: ids, with: [.text(state.rawValue)])
    }

    public func uploads(runId: Int64) throws -> [UploadRecord] {
        try db.statement(CatalogRows.uploadsOfRunQuery(runId: "?1")).bind(.int(runId)).rows { CatalogRows.uploadRecord($0) }
    }

    public func uploads(fileId: Int64) throws -> [UploadRecord] {
        try db.statement(CatalogRows.uploadsOfFileQuery(fileId: "?1")).bind(.int(fileId)).rows { CatalogRows.uploadRecord($0) }
    }
}
