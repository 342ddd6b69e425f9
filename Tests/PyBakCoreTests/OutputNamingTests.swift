import Testing

@testable import PyBakCore

@Suite struct OutputNamingTests {
    let stamp = PassStamp(epochSeconds: 1_795_751_640)  // 2026-11-27T03:54:00Z

    @Test func stampFormats() {
        #expect(stamp.compact == "20261127T035400Z")
        #expect(stamp.iso8601 == "2026-11-27T03:54:00Z")
    }

    @Test func namesKeepFoldersAndAddSuffixes() {
        #expect(OutputNaming.storedPath(relativeSourcePath: "a/b/report.csv", stamp: stamp) == "a/b/report.csv_20261127T035400Z.gz")
        #expect(OutputNaming.storedPath(relativeSourcePath: "x.txt", stamp: stamp, attempt: 2) == "x.txt_20261127T035400Z_2.gz")
        #expect(OutputNaming.storedName(originalName: "x", stamp: stamp, encrypted: true) == "x_20261127T035400Z.gz.enc")
    }

    @Test func refusesNamesThatCannotBeStored() {
        #expect(OutputNaming.problem(storingRelativePath: String(repeating: "n", count: 240)) != nil)
        #expect(OutputNaming.problem(storingRelativePath: "a/line\nbreak.txt") != nil)
        #expect(OutputNaming.problem(storingRelativePath: "a/ordinary name.txt") == nil)
    }
}
