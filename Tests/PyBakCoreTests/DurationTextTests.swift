import Testing

@testable import PyBakCore

@Suite struct DurationTextTests {
    @Test(arguments: [("10s", 10.0), ("2m", 120.0), ("1h30m", 5400.0), ("720h", 2_592_000.0), ("500ms", 0.5), ("7d", 604_800.0), ("0", 0.0)])
    func parses(text: String, seconds: Double) throws {
        #expect(try DurationText.seconds(text, field: "f") == seconds)
    }

    @Test(arguments: ["", "10", "ten seconds", "5x", "-3s", "1h 2q"])
    func rejectsWithFieldName(text: String) {
        #expect {
            try DurationText.seconds(text, field: "spec.source.minAge")
        } throws: { error in
            "\(error)".contains("spec.source.minAge") && "\(error)".contains("10s")
        }
    }

    @Test func formats() {
        #expect(DurationText.format(3.25) == "3.2s" || DurationText.format(3.25) == "3.3s")
        #expect(DurationText.format(125) == "2m5s")
        #expect(DurationText.format(3600) == "1h")
    }
}
