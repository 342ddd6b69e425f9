/// Where the next page of a run's files starts: just after this row in `files(runId:)` order (source path, then id).
public struct RunFilesCursor: Sendable, Equatable {
    /// The source path of the last row of the previous page.
    public var sourcePath: String
    /// Its id (ties on the source path are broken by id).
    public var id: Int64

    /// The cursor just after `row`.
    public init(after row: FileRecord) {
        sourcePath = row.sourcePath
        id = row.id
    }
}

extension Catalog {
    /// Calls `body` with every file a run catalogued, in `files(runId:)` order, reading `pageSize` rows at a time,
    /// so memory does not grow with the number of files in the run.
    /// - Parameters:
    ///   - runId: the run.
    ///   - pageSize: rows read per catalog query.
    ///   - body: called once per row, in order.
    /// - Throws: the catalog's errors, or what `body` throws.
    public func forEachFile(runId: Int64, pageSize: Int = 1_000, _ body: (FileRecord) throws -> Void) throws {
        var cursor: RunFilesCursor?
        while true {
            let page = try files(runId: runId, after: cursor, limit: pageSize)
            for row in page { try body(row) }
            guard page.count == pageSize, let last = page.last else { return }
            cursor = RunFilesCursor(after: last)
        }
    }
}
