extension PostgresCatalog: UploadLedger {
    public func queueUploads(_ intents: [UploadIntent], dropLocalCopy: Bool) throws {
        guard !intents.isEmpty else { return }
        let now = WallClockText.now()
        try connection.retrying {
            try connection.transaction {
                for intent in intents {
                    try connection.query("""
                        INSERT INTO uploads (file_id, target, bucket, object_key, state, queued_at) VALUES ($1, $2, $3, $4, 'pending', $5)
                        ON CONFLICT (file_id, target) DO NOTHING
                        """, ["\(intent.fileId)", intent.target, intent.bucket, intent.key, now])
                }
                if dropLocalCopy {
                    try connection.query(
                        "UPDATE files SET local_copy = 'drop' WHERE id = ANY($1::bigint[]) AND local_copy = 'kept'",
                        [PostgresArray.ids(Array(Set(intents.map(\.fileId))))])
                }
            }
        }
    }

    public func pendingUploads(policy: String, target: String) throws -> [PendingUpload] {
        try connection.retrying {
            try connection.query(CatalogRows.pendingUploadsQuery(policy: "$1", target: "$2"), [policy, target]).rows { CatalogRows.pendingUpload($0) }
        }
    }

    public func recordUploaded(ids: [Int64], url: String, etag: String, at: String) throws {
        try update(
            "UPDATE uploads SET state = 'uploaded', url = $2, etag = $3, uploaded_at = $4, last_error = NULL WHERE id = ANY($1::bigint[])", ids: ids,
            with: [url, etag, at])
    }

    public func recordUploadFailure(ids: [Int64], error: String) throws {
        try update("UPDATE uploads SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])", ids: ids, with: [error])
    }

    public func localCopiesReadyToDrop(policy: String) throws -> [FileRecord] {
        try files("""
            f WHERE policy = $1 AND state = 'stored' AND local_copy = 'drop'
              AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.file_id = f.id AND u.state != 'uploaded') ORDER BY id
            """, [policy])
    }

    public func localCopyStates(fileIds: [Int64]) throws -> [Int64: LocalCopyState] {
        guard !fileIds.isEmpty else { return [:] }
        let rows = try connection.retrying {
            try connection.query("SELECT id, local_copy FROM files WHERE id = ANY($1::bigint[])", [PostgresArray.ids(fileIds)]).rows { ($0.int(0), $0.text(1)) }
        }
        var states: [Int64: LocalCopyState] = [:]
        for (id, state) in rows { states[id] = LocalCopyState(rawValue: state) }
        return states
    }

    public func setLocalCopy(_ state: LocalCopyState, ids: [Int64]) throws {
        try update("UPDATE files SET local_copy = $2 WHERE id = ANY($1::bigint[])", ids: ids, with: [state.rawValue])
    }

    public func uploads(runId: Int64) throws -> [UploadRecord] {
        try connection.retrying {
            try connection.query(CatalogRows.uploadsOfRunQuery(runId: "$1"), ["\(runId)"]).rows { CatalogRows.uploadRecord($0) }
        }
    }

    public func uploads(fileId: Int64) throws -> [UploadRecord] {
        try connection.retrying {
            try connection.query(CatalogRows.uploadsOfFileQuery(fileId: "$1"), ["\(fileId)"]).rows { CatalogRows.uploadRecord($0) }
        }
    }
}

extension PostgresCatalog: ReportDeliveryLog {
    public func recordEmail(runId: Int64, status: String) throws {
        try connection.retrying { try connection.query("UPDATE runs SET email_status = $2 WHERE id = $1", ["\(runId)", status]) }
    }

    public func emailStatus(runId: Int64) throws -> String? {
        try connection.retrying {
            try connection.query("SELECT email_status FROM runs WHERE id = $1", ["\(runId)"]).rows { $0.optionalText(0) }.first ?? nil
        }
    }
}
