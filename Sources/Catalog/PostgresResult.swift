import CLibPQ

/// One libpq result; cleared in `deinit`. Values arrive in text format.
final class PostgresResult {
    private let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }

    deinit { PQclear(raw) }

    /// Rows returned.
    var count: Int { Int(PQntuples(raw)) }

    /// Rows changed by an INSERT/UPDATE/DELETE.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(raw))) ?? 0 }

    /// Reads every row with `map`.
    func rows<T>(_ map: (PostgresRow) throws -> T) rethrows -> [T] {
        try (0..<count).map { try map(PostgresRow(result: self, row: Int32($0))) }
    }

    func value(_ row: Int32, _ column: Int32) -> String? {
        guard PQgetisnull(raw, row, column) == 0, let pointer = PQgetvalue(raw, row, column) else { return nil }
        return String(cString: pointer)
    }
}

/// One row of a `PostgresResult`.
struct PostgresRow: CatalogRow {
    let result: PostgresResult
    let row: Int32

    func text(_ column: Int32) -> String { result.value(row, column) ?? "" }
    func optionalText(_ column: Int32) -> String? { result.value(row, column) }
    func int(_ column: Int32) -> Int64 { optionalInt(column) ?? 0 }
    func optionalInt(_ column: Int32) -> Int64? { result.value(row, column).flatMap { Int64($0) } }
    func bool(_ column: Int32) -> Bool { result.value(row, column) == "t" }
}

/// Text forms of PostgreSQL array parameters (`$1::bigint[]`, `$1::text[]`).
enum PostgresArray {
    static func ids(_ values: [Int64]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }

    static func texts(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingBackslashesAndQuotes + "\"" }.joined(separator: ",") + "}"
    }
}

extension String {
    fileprivate var replacingBackslashesAndQuotes: String {
        var out = ""
        for character in self {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
