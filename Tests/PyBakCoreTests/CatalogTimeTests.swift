import Foundation
import Testing

@testable import PyBakCore

@Suite struct CatalogTimeTests {
    @Test(arguments: [
        ("2026-11-27", "2026-11-27T00:00:00.000Z"),
        ("2026-11-27T03:54", "2026-11-27T03:54:00.000Z"),
        ("2026-11-27 03:54:07", "2026-11-27T03:54:07.000Z"),
        ("2026-11-27T03:54:07Z", "2026-11-27T03:54:07.000Z"),
        ("20261127T035407Z", "2026-11-27T03:54:07.000Z"),
    ])
    func parsesTheDocumentedForms(text: String, expected: String) throws {
        #expect(try CatalogTime.parse(text, field: "--at", inclusiveEnd: false) == expected)
        #expect(try CatalogTime.parse(text, field: "--at", inclusiveEnd: true) == expected.replacingOccurrences(of: ".000Z", with: ".999Z"))
    }

    @Test func parsesDurationsAgo() throws {
        #expect(try CatalogTime.parse("2h", field: "--since", inclusiveEnd: false, now: 1_764_215_647) == "2025-11-27T01:54:07.000Z")
    }

    @Test(arguments: ["", "yesterday", "2026-13-01", "2026-11-27T25:00", "2026-11-27T03"])
    func refusesOtherText(text: String) {
        let error = #expect(throws: PyBakError.self) { try CatalogTime.parse(text, field: "--at", inclusiveEnd: true) }
        #expect(error?.message.contains("--at") == true)
    }
}
