import Foundation

/// base64url without padding (RFC 7515 §2), strictly: no `=`, no whitespace, no `+` or `/`.
enum Base64URL {
    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy(isAlphabet), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }

    static func decode(_ text: String) -> [UInt8]? { decode(Substring(text)) }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        let letters: ClosedRange<UInt8> = 0x41...0x5A
        let lower: ClosedRange<UInt8> = 0x61...0x7A
        let digits: ClosedRange<UInt8> = 0x30...0x39
        return letters.contains(byte) || lower.contains(byte) || digits.contains(byte) || byte == 0x2D || byte == 0x5F
    }
}
