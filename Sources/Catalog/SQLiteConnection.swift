import CSQLite

/// One SQLite database handle; closes it in `deinit`. Not thread-safe: one user at a time.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    /// The file, for error messages.
    let path: String
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens (creating if needed) a database file.
    init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw CatalogError("cannot open the catalog \(path): \(message); check the folder exists and is writable")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs SQL without results (may hold several statements).
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "code \(rc)"
            sqlite3_free(error)
            throw failure(rc, message)
        }
    }

    /// A prepared statement, cached by its text.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &raw, nil)
        guard rc == SQLITE_OK, let raw else {
            throw failure(rc, String(cString: sqlite3_errmsg(handle)))
        }
        let statement = SQLiteStatement(raw, connection: self)
        cache[sql] = statement
        return statement
    }

    /// The id of the last inserted row.
    var lastInsertId: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE so writers queue instead of failing later).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The one place SQLite result codes become errors that say what to do.
    func failure(_ rc: Int32, _ message: String) -> CatalogError {
        let primary = rc & 0xff
        switch primary {
        case SQLITE_NOTADB, SQLITE_CORRUPT:
            return CatalogError("the catalog \(path) is corrupt or not a SQLite database (\(message)); move it aside to start a new catalog, or restore it from a copy")
        case SQLITE_FULL:
            return CatalogError("the catalog \(path) cannot grow: the disk is full (\(message)); free space and run again")
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM:
            return CatalogError("the catalog \(path) cannot be written (\(message)); check its permissions and the folder's")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return CatalogError("the catalog \(path) is locked by another process (\(message)); try again when it finishes")
        case SQLITE_IOERR:
            return CatalogError("the catalog \(path) hit an I/O error (\(message)); check the disk")
        default:
            return CatalogError("catalog \(path): \(message)")
        }
    }

    fileprivate var raw: OpaquePointer? { handle }
}

/// A prepared statement with typed binds and columns.
final class SQLiteStatement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    /// Binds values to `?1`, `?2`, ... in order.
    @discardableResult
    func bind(_ values: SQLiteValue...) throws -> SQLiteStatement {
        try bind(values)
    }

    /// Binds values to `?1`, `?2`, ... in order.
    @discardableResult
    func bind(_ values: [SQLiteValue]) throws -> SQLiteStatement {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(raw, index)
            case .int(let v): rc = sqlite3_bind_int64(raw, index, v)
            case .double(let v): rc = sqlite3_bind_double(raw, index, v)
            case .text(let v): rc = sqlite3_bind_text(raw, index, v, -1, CSQLite_transient())
            }
            guard rc == SQLITE_OK else { throw connection.failure(rc, "bind \(index)") }
        }
        return self
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.failure(rc, String(cString: sqlite3_errmsg(connection.raw)))
        }
    }

    /// Runs to completion, ignoring rows.
    func run() throws {
        while try step() {}
    }

    /// Reads every row with `map`.
    func rows<T>(_ map: (SQLiteStatement) throws -> T) throws -> [T] {
        var result: [T] = []
        while try step() { result.append(try map(self)) }
        return result
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: pointer)
    }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    static func optional(_ value: Int64?) -> SQLiteValue { value.map { .int($0) } ?? .null }
    static func optional(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
}
