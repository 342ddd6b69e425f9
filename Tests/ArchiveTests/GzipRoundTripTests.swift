import Testing

@testable import Archive

@Suite struct GzipRoundTripTests {
    func compress(_ bytes: [UInt8], name: String, mtime: Int64, level: Int = 6, chunk: Int = 10_000) throws -> [UInt8] {
        let deflater = try GzipDeflater(level: level)
        try deflater.begin(name: name, mtime: mtime)
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(start + chunk, bytes.count)
            try bytes[start..<end].withUnsafeBytes { raw in
                try deflater.compress(raw, finish: end == bytes.count) { out.append(contentsOf: $0) }
            }
            start = end
        } while start < bytes.count
        if bytes.isEmpty { try deflater.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { out.append(contentsOf: $0) } }
        return out
    }

    func inflate(_ gz: [UInt8], inflater: GzipInflater) throws -> [UInt8] {
        var out: [UInt8] = []
        try gz.withUnsafeBytes { try inflater.feed($0) { out.append(contentsOf: $0) } }
        return out
    }

    @Test(arguments: [0, 1, 65_536, 1_000_003])
    func roundTrips(size: Int) throws {
        let original = (0..<size).map { UInt8(truncatingIfNeeded: ($0 / 3) ^ ($0 >> 9)) }
        let gz = try compress(original, name: "data.bin", mtime: 1_700_000_000)
        let inflater = try GzipInflater()
        #expect(try inflate(gz, inflater: inflater) == original)
        #expect(inflater.finished)
    }

    @Test func headerCarriesNameAndMtime() throws {
        let gz = try compress(Array("hello".utf8), name: "greeting.txt", mtime: 1_700_000_000)
        #expect(gz[0] == 0x1f && gz[1] == 0x8b && gz[2] == 8)
        #expect(gz[3] & 0x08 != 0)  // FNAME
        let mtime = UInt32(gz[4]) | UInt32(gz[5]) << 8 | UInt32(gz[6]) << 16 | UInt32(gz[7]) << 24
        #expect(mtime == 1_700_000_000)
        let name = gz[10...].prefix(while: { $0 != 0 })
        #expect(String(decoding: name, as: UTF8.self) == "greeting.txt")
    }

    @Test func reusedCompressorStartsFresh() throws {
        let deflater = try GzipDeflater(level: 1)
        for text in ["first", "second file"] {
            try deflater.begin(name: text, mtime: 0)
            var out: [UInt8] = []
            try Array(text.utf8).withUnsafeBytes { try deflater.compress($0, finish: true) { out.append(contentsOf: $0) } }
            #expect(try inflate(out, inflater: GzipInflater()) == Array(text.utf8))
        }
    }

    @Test func rejectsCorruptionTruncationAndTrailingBytes() throws {
        let original = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let gz = try compress(original, name: "x", mtime: 0)
        var flipped = gz
        flipped[gz.count - 6] ^= 0x01  // CRC
        #expect(throws: ArchiveError.self) { try inflate(flipped, inflater: GzipInflater()) }
        let truncated = Array(gz.dropLast(10))
        let inflater = try GzipInflater()
        _ = try? inflate(truncated, inflater: inflater)
        #expect(!inflater.finished)
        #expect(throws: ArchiveError.self) { try inflate(gz + [0x00], inflater: GzipInflater()) }
    }
}
