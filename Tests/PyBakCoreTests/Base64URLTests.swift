import Foundation
import PyBakCore
import Testing

@Suite struct Base64URLTests {
    /// RFC 4648 §10 test vectors, with the padding removed (base64url as JWTs use it).
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors) func rfc4648VectorsEncodeAndDecode(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func theUrlSafeAlphabetReplacesPlusAndSlash() {
        // 0xFB 0xFF 0xBF is "+/+/" in standard base64.
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test func everyLengthRoundTripsAndMatchesFoundation() {
        var bytes: [UInt8] = []
        for length in 0..<200 {
            let encoded = Base64URL.encode(bytes)
            let standard = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(encoded == standard, "length \(length)")
            #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
            bytes.append(UInt8(truncatingIfNeeded: length &* 151 &+ 7))
        }
    }

    @Test(arguments: ["Zg==", "Zm9v=", "Zm9v Yg", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9", "ä"])
    func nonStrictTextIsRefused(text: String) {
        // Padding, whitespace, the standard alphabet's + and /, impossible lengths, stray low bits ("Zh", "Zm9").
        #expect(Base64URL.decode(text) == nil)
    }
}
