import Foundation
import Testing

@testable import Catalog

func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "pybak-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The catalog implementations every contract test runs against: SQLite in a temporary file, and a real
/// PostgreSQL server (`PYBAK_TEST_DATABASE_URL`, started by `.ci/postgres`) with a fresh schema per test.
enum CatalogBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, migrated, empty catalog.
    func open() throws -> any Catalog {
        switch self {
        case .sqlite:
            let catalog = try SQLiteCatalog(path: "\(temporaryFolder())/catalog.sqlite")
            try catalog.migrate()
            return catalog
        case .postgres:
            let catalog = try PostgresCatalog(target: try TestDatabase.freshSchema())
            try catalog.migrate()
            return catalog
        }
    }
}

/// The PostgreSQL server of the tests.
enum TestDatabase {
    /// The server's URL; a missing variable fails the test (a PostgreSQL test never passes without PostgreSQL).
    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PYBAK_TEST_DATABASE_URL"], !url.isEmpty else {
            throw CatalogError(
                "PYBAK_TEST_DATABASE_URL is not set, so the PostgreSQL catalog tests cannot run. Start the test server and export its URL: export PYBAK_TEST_DATABASE_URL=$(bash .ci/postgres start)  (bash .ci/run does this)"
            )
        }
        return url
    }

    /// A new empty schema on the test server, and a target whose sessions use it (so tests run in parallel).
    static func freshSchema() throws -> DatabaseTarget {
        let base = try url()
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresConnection(target: DatabaseTarget(url: base)).execute("CREATE SCHEMA \(schema)")
        return try DatabaseTarget(url: with(base, "options=-csearch_path%3D\(schema)"))
    }

    /// `url` with one more query parameter.
    static func with(_ url: String, _ parameter: String) -> String {
        url + (url.contains("?") ? "&" : "?") + parameter
    }
}
