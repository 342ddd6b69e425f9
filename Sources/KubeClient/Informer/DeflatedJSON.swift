import CZlib
import Foundation

/// A value kept as deflated JSON (zlib, raw deflate). Objects of one kind share most of their text, so they are
/// deflated against a preset dictionary, the JSON of an earlier object of the kind: a CronJob whose pod template
/// decodes into some 7 KiB of small allocations is about 1.3 KiB deflated alone and a few hundred bytes against
/// a sibling. Reading it back costs one inflate and one decode.
struct DeflatedJSON: Sendable {
    private let bytes: [UInt8]
    private let length: Int
    private let dictionary: DeflateDictionary?

    /// Deflates the JSON of `value`; nil when it cannot be encoded or compressed, or when it does not read back
    /// as the same JSON (a type whose coding loses something is better kept as it is).
    init?<Value: Codable>(_ value: Value, dictionary: DeflateDictionary? = nil) {
        guard let json = Self.json(value), let packed = Self.deflate(json, dictionary: dictionary?.bytes) else { return nil }
        bytes = packed
        length = json.count
        self.dictionary = dictionary
        guard let decoded = decode(Value.self), Self.json(decoded) == json else { return nil }
    }

    /// The value again; nil when the bytes do not inflate to JSON of `Value`.
    func decode<Value: Decodable>(_ type: Value.Type) -> Value? {
        guard let json = Self.inflate(bytes, length: length, dictionary: dictionary?.bytes) else { return nil }
        return try? JSONDecoder().decode(type, from: Data(json))
    }

    /// Bytes held (the shared dictionary not counted).
    var storedBytes: Int { bytes.count }

    /// The JSON of a value with sorted keys (the same value always gives the same bytes).
    static func json<Value: Encodable>(_ value: Value) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { [UInt8]($0) }
    }

    private static func deflate(_ input: [UInt8], dictionary: [UInt8]?) -> [UInt8]? {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        if let dictionary, !dictionary.isEmpty {
            let set = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            guard set == Z_OK else { return nil }
        }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        let status = finish(&stream, input, into: &output) { CZlib.deflate(&$0, Z_FINISH) }
        guard status == Z_STREAM_END else { return nil }
        return Array(output[..<Int(stream.total_out)])  // a copy of exactly that size (a shorter array keeps its capacity)
    }

    private static func inflate(_ input: [UInt8], length: Int, dictionary: [UInt8]?) -> [UInt8]? {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, -15) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        if let dictionary, !dictionary.isEmpty {
            let set = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            guard set == Z_OK else { return nil }
        }
        var output = [UInt8](repeating: 0, count: length)
        let status = finish(&stream, input, into: &output) { CZlib.inflate(&$0, Z_FINISH) }
        guard status == Z_STREAM_END, Int(stream.total_out) == length else { return nil }
        return output
    }

    /// Runs one zlib step (`deflate` or `inflate` with `Z_FINISH`) over all of `input` into `output`.
    private static func finish(_ stream: inout z_stream, _ input: [UInt8], into output: inout [UInt8], _ step: (inout z_stream) -> Int32) -> Int32 {
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return step(&stream)
            }
        }
    }
}

/// A preset dictionary for `DeflatedJSON`, shared by every value deflated against it (each keeps a reference,
/// so a cache may pick another without making earlier values unreadable).
final class DeflateDictionary: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}
