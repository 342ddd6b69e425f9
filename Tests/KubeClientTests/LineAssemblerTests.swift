import Testing

@testable import KubeClient

@Suite struct LineAssemblerTests {
    static let lines = [
        #"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"#,
        #"{"type":"MODIFIED","object":{"metadata":{"name":"ü-ñ"},"data":{"k":"line\nbreak"}}}"#,
        String(repeating: "x", count: 5000),
        #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"42"}}}"#,
    ]

    @Test(arguments: 0..<200)
    func randomSplitsGiveBackTheSameLines(seed: Int) throws {
        var generator = SplitMix(seed: UInt64(seed))
        let stream = Array(Self.lines.joined(separator: seed % 2 == 0 ? "\n" : "\r\n").utf8) + Array("\n".utf8)
        var assembler = LineAssembler()
        var out: [String] = []
        var index = 0
        while index < stream.count {
            let size = Int(generator.next() % 700) + (seed % 3 == 0 ? 0 : 1)
            let end = min(stream.count, index + size)
            out += try assembler.append(Array(stream[index..<end])).map { String(decoding: $0, as: UTF8.self) }
            index = end
        }
        #expect(assembler.finish() == nil)
        #expect(out == Self.lines)
    }

    @Test func anUnterminatedLastLineComesFromFinish() throws {
        var assembler = LineAssembler()
        #expect(try assembler.append(Array("one\n\n  \ntw".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["one"])
        #expect(try assembler.append(Array("o".utf8)).isEmpty)
        #expect(assembler.finish().map { String(decoding: $0, as: UTF8.self) } == "two")
        #expect(assembler.finish() == nil)
    }

    @Test func aLineOverTheLimitIsAnError() throws {
        var assembler = LineAssembler(maxLineBytes: 10)
        #expect(try assembler.append(Array("0123456789\n".utf8)).count == 1)
        #expect(throws: LineAssembler.LineTooLong.self) { try assembler.append(Array("0123456789A".utf8)) }
    }
}

/// A small deterministic generator, so a failing split can be replayed from its seed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
