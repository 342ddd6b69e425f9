import Testing

@testable import Archive

/// Helpers: whole-buffer encrypt/decrypt through the streaming classes, in chunks of `chunk` bytes.
enum Streams {
    static func encrypt(_ plaintext: [UInt8], key: EncryptionKey, chunk: Int = 100_003) throws -> [UInt8] {
        let encryptor = try StreamingEncryptor()
        var out: [UInt8] = []
        let sink: (UnsafeRawBufferPointer) throws -> Void = { out.append(contentsOf: $0) }
        try encryptor.begin(key: key, sink: sink)
        var start = 0
        while start < plaintext.count {
            let end = min(start + chunk, plaintext.count)
            try plaintext[start..<end].withUnsafeBytes { try encryptor.update($0, sink: sink) }
            start = end
        }
        try encryptor.finish(sink: sink)
        return out
    }

    static func decrypt(_ ciphertext: [UInt8], key: EncryptionKey, chunk: Int = 65_537) throws -> [UInt8] {
        let decryptor = try StreamingDecryptor()
        decryptor.begin(key: key)
        var out: [UInt8] = []
        let sink: (UnsafeRawBufferPointer) throws -> Void = { out.append(contentsOf: $0) }
        var start = 0
        while start < ciphertext.count {
            let end = min(start + chunk, ciphertext.count)
            try ciphertext[start..<end].withUnsafeBytes { try decryptor.feed($0, sink: sink) }
            start = end
        }
        try decryptor.finish(sink: sink)
        return out
    }

    static func bytes(_ count: Int, seed: UInt32 = 7) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }
}

@Suite struct StreamingAEADTests {
    let key = try! EncryptionKey(bytes: Array(0..<32))
    static let css = StreamingAEADLayout.ciphertextSegmentSize
    static let first = StreamingAEADLayout.firstPlaintextSegmentSize

    @Test(arguments: [0, 1, 15, 16, 4096, first - 1, first, first + 1, first + StreamingAEADLayout.plaintextSegmentSize, 3 * css + 12_345])
    func roundTripsAtSegmentEdges(length: Int) throws {
        let plaintext = Streams.bytes(length)
        let ciphertext = try Streams.encrypt(plaintext, key: key)
        #expect(Int64(ciphertext.count) == StreamingAEADLayout.ciphertextSize(plaintextLength: Int64(length)))
        #expect(ciphertext[0] == 40)
        #expect(try Streams.decrypt(ciphertext, key: key) == plaintext)
        #expect(try Streams.decrypt(ciphertext, key: key, chunk: 1 << 20) == plaintext)
    }

    @Test func eachStreamHasAFreshSaltAndNoncePrefix() throws {
        let a = try Streams.encrypt([1, 2, 3], key: key)
        let b = try Streams.encrypt([1, 2, 3], key: key)
        #expect(a[0..<40] != b[0..<40])
        #expect(a != b)
    }

    @Test func wrongKeyIsRejected() throws {
        let ciphertext = try Streams.encrypt(Streams.bytes(5000), key: key)
        let other = try EncryptionKey.generate()
        let error = #expect(throws: ArchiveError.self) { try Streams.decrypt(ciphertext, key: other) }
        #expect(error?.message.contains("key is wrong") == true)
    }

    @Test(arguments: [0, 39, 40, 41, 2 * css - 1, 2 * css + 100])
    func flippedBitIsRejected(position: Int) throws {
        var ciphertext = try Streams.encrypt(Streams.bytes(2 * Self.css + 500), key: key)
        ciphertext[position] ^= 0x04
        #expect(throws: ArchiveError.self) { try Streams.decrypt(ciphertext, key: key) }
    }

    @Test func droppedLastSegmentIsRejectedAsTruncated() throws {
        let ciphertext = try Streams.encrypt(Streams.bytes(2 * Self.css + 500), key: key)
        let error = #expect(throws: ArchiveError.self) { try Streams.decrypt(Array(ciphertext[0..<(2 * Self.css)]), key: key) }
        #expect(error?.message.contains("truncated") == true)
    }

    @Test func swappedSegmentsAreRejected() throws {
        let ciphertext = try Streams.encrypt(Streams.bytes(3 * Self.css + 500), key: key)
        let s1 = ciphertext[Self.css..<(2 * Self.css)]
        let s2 = ciphertext[(2 * Self.css)..<(3 * Self.css)]
        let swapped = Array(ciphertext[0..<Self.css]) + s2 + s1 + ciphertext[(3 * Self.css)...]
        let error = #expect(throws: ArchiveError.self) { try Streams.decrypt(swapped, key: key) }
        #expect(error?.message.contains("segment 1") == true)
    }

    @Test(arguments: [1, 20, 40, 41, 56, 1000, css + 7])
    func truncatedFileIsRejected(length: Int) throws {
        let ciphertext = try Streams.encrypt(Streams.bytes(Self.css + 500), key: key)
        #expect(throws: ArchiveError.self) { try Streams.decrypt(Array(ciphertext[0..<length]), key: key) }
    }

    @Test func appendedBytesAreRejected() throws {
        let ciphertext = try Streams.encrypt(Streams.bytes(1000), key: key)
        #expect(throws: ArchiveError.self) { try Streams.decrypt(ciphertext + [0], key: key) }
    }

    @Test func notAnEncryptedStreamIsNamed() throws {
        let error = #expect(throws: ArchiveError.self) { try Streams.decrypt(Array(repeating: 0x1f, count: 100), key: key) }
        #expect(error?.message.contains("header length byte") == true)
    }
}

@Suite struct KeyDerivationTests {
    /// RFC 5869 test case 1 (SHA-256).
    @Test func hkdfMatchesRFC5869() throws {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt: [UInt8] = Array(0x00...0x0c)
        let info: [UInt8] = Array(0xf0...0xf9)
        let okm = try HKDF.sha256(key: ikm, salt: salt, info: info, length: 42)
        #expect(Hex.encode(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// RFC 7914 section 12, second vector ("password", "NaCl", N=1024, r=8, p=16), first 32 bytes.
    @Test func scryptMatchesRFC7914() throws {
        let params = ScryptParameters(kdf: "scrypt", n: 1024, r: 8, p: 16, salt: Array("NaCl".utf8), keyId: nil)
        let key = try EncryptionKey.derive(passphrase: Array("password".utf8), parameters: params)
        #expect(Hex.encode(key.bytes) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162")
    }

    @Test func keysParseFromRawAndBase64() throws {
        let key = try EncryptionKey.generate()
        #expect(try EncryptionKey.parse(key.bytes, origin: "raw") == key)
        #expect(try EncryptionKey.parse(Array("  \(key.base64)\n".utf8), origin: "b64") == key)
        #expect(key.id.hasPrefix("k1-") && key.id.count == 19)
        #expect(!key.id.contains(String(Hex.encode(key.bytes).prefix(8))))
    }

    @Test(arguments: ["", "not base64!", "AAAA", String(repeating: "A", count: 40)])
    func badKeyTextIsRefusedWithAHint(text: String) {
        let error = #expect(throws: ArchiveError.self) { try EncryptionKey.parse(Array(text.utf8), origin: "key.txt") }
        #expect(error?.message.contains("key.txt") == true)
        #expect(error?.message.contains("pybak keygen") == true)
    }
}
