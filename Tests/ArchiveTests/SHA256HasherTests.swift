import Testing

@testable import Archive

@Suite struct SHA256HasherTests {
    @Test func matchesTheFIPSVectors() {
        #expect(SHA256Hasher.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hasher.hex(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func streamingEqualsOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256Hasher()
        for start in stride(from: 0, to: bytes.count, by: 7_777) {
            bytes[start..<min(start + 7_777, bytes.count)].withUnsafeBytes { hasher.update($0) }
        }
        #expect(Hex.encode(hasher.finish()) == SHA256Hasher.hex(of: bytes))
    }
}
