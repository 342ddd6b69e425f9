import Catalog

extension FileRecord {
    /// Appends the row as one JSON object: the keys and values of its `Codable` form (keys sorted, absent optionals
    /// left out), written directly rather than through `JSONEncoder`, which cost a report ~8 µs a row.
    func appendJSON(to out: inout [UInt8]) {
        var json = JSONObjectWriter(out: out)
        out = []
        if let archiveMember { json.string("archiveMember", archiveMember) }
        json.string("createdAt", createdAt)
        json.string("destinationPath", destinationPath)
        json.string("disposition", disposition.rawValue)
        if let duplicateOf { json.int("duplicateOf", duplicateOf) }
        json.int("id", id)
        if let keyId { json.string("keyId", keyId) }
        json.string("kind", kind.rawValue)
        json.int("mtimeNanos", mtimeNanos)
        json.string("policy", policy)
        if let prunedAt { json.string("prunedAt", prunedAt) }
        json.int("runId", runId)
        json.string("sha256", sha256)
        json.int("size", size)
        json.int("sourceDevice", sourceDevice)
        json.int("sourceInode", sourceInode)
        json.string("sourcePath", sourcePath)
        json.string("state", state.rawValue)
        json.int("storedSize", storedSize)
        if let verifiedAt { json.string("verifiedAt", verifiedAt) }
        if let verifyError { json.string("verifyError", verifyError) }
        out = json.finish()
    }
}

/// Writes one flat JSON object into a byte buffer, member by member (strings escaped as JSON requires, `/` left as is).
struct JSONObjectWriter {
    private var out: [UInt8]
    private var first = true

    /// Starts an object at the end of `out`.
    init(out: [UInt8]) {
        self.out = out
        self.out.append(UInt8(ascii: "{"))
    }

    /// Appends `"key":"value"`.
    mutating func string(_ key: String, _ value: String) {
        self.key(key)
        Self.appendString(value, to: &out)
    }

    /// Appends `"key":value`.
    mutating func int(_ key: String, _ value: Int64) {
        self.key(key)
        out.append(contentsOf: String(value).utf8)
    }

    /// Closes the object and returns the buffer.
    mutating func finish() -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        return out
    }

    private mutating func key(_ key: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        Self.appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string literal: quote, backslash and control characters escaped; other UTF-8 bytes as they are.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
