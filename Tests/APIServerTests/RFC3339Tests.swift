import Testing

@testable import APIServer

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0), ("2026-11-27T04:00:00Z", 1_795_752_000), ("2026-11-27T06:00:00+02:00", 1_795_752_000),
        ("2026-11-27T04:00:00.250Z", 1_795_752_000.25), ("2024-02-29T00:00:00Z", 1_709_164_800), ("2026-02-31T00:00:00Z", 1_772_496_000),
        ("1969-12-31T23:59:59Z", -1),
    ])
    func parses(text: String, seconds: Double) {
        #expect(RFC3339.seconds(text) == seconds)
    }

    @Test(arguments: ["2026-11-27", "2026-13-01T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27t04:00:00z", "2026-11-27T04:00:00", "2026-11-27T04:00:00.Z", "2026-11-27T04:00:00Zjunk", ""])
    func refuses(text: String) {
        #expect(RFC3339.seconds(text) == nil)
    }
}
