import Foundation
import Testing

@testable import Catalog

/// What only the SQLite catalog does.
@Suite struct SQLiteCatalogTests {
    let folder = temporaryFolder()

    @Test func aCorruptCatalogSaysWhatToDo() throws {
        let path = "\(folder)/broken.sqlite"
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect {
            let catalog = try SQLiteCatalog(path: path)
            try catalog.migrate()
        } throws: { error in
            "\(error)".contains("corrupt or not a SQLite database") && "\(error)".contains("move it aside")
        }
    }
}
