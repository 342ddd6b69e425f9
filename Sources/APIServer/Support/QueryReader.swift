import Catalog
import Foundation
import Hummingbird
import HummingbirdCore
import PyBakCore

/// Reads and checks query parameters; every bad value is a 400 naming the parameter.
struct QueryReader {
    let parameters: FlatDictionary<Substring, Substring>

    /// Reads the query of a request that takes only `known` parameters.
    /// - Throws: a 400 naming an unknown parameter (a typo such as `polcy=` must not silently widen a query),
    ///   or one given more than once (every parameter takes one value; `limit=5&limit=500` has no meaning to pick).
    init(_ request: Request, known: Set<String>) throws {
        parameters = request.uri.queryParameters
        if let unknown = parameters.first(where: { !known.contains(String($0.key)) }) {
            throw APIError.badParameter(String(unknown.key), "unknown parameter; this endpoint takes \(known.sorted().joined(separator: ", "))")
        }
        var seen = Set<Substring>()
        if let repeated = parameters.first(where: { !seen.insert($0.key).inserted }) {
            throw APIError.badParameter(String(repeated.key), "given more than once; give it once")
        }
    }

    /// A text parameter (empty is a value: it matches the empty text).
    func string(_ name: String, maxLength: Int = 512) throws -> String? {
        guard let value = parameters[Substring(name)].map(String.init) else { return nil }
        guard value.unicodeScalars.count <= maxLength else { throw APIError.badParameter(name, "longer than \(maxLength) characters") }
        return value
    }

    /// An integer in a range.
    func int(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = try string(name, maxLength: 20) else { return nil }
        guard text.first != "+", let value = Int64(text), range.contains(value) else {
            throw APIError.badParameter(name, "'\(text)' is not an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The page size: 1...1000, default 100.
    func limit(default value: Int = 100) throws -> Int {
        Int(try int("limit", in: 1...1000) ?? Int64(value))
    }

    /// An opaque cursor from a previous page's `nextCursor`.
    func cursor() throws -> Int64? {
        guard let text = try string("cursor", maxLength: 18) else { return nil }
        guard text.first != "+", let value = Int64(text), value > 0 else { throw APIError.badParameter("cursor", "not a cursor this API returned") }
        return value
    }

    /// A boolean: true or false.
    func bool(_ name: String) throws -> Bool? {
        guard let text = try string(name, maxLength: 5) else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw APIError.badParameter(name, "'\(text)' is not true or false")
        }
    }

    /// One of a fixed set of words.
    func choice(_ name: String, _ allowed: [String]) throws -> String? {
        guard let text = try string(name, maxLength: 32) else { return nil }
        guard allowed.contains(text) else { throw APIError.badParameter(name, "'\(text)' is not one of \(allowed.joined(separator: ", "))") }
        return text
    }

    /// An RFC 3339 time (`2026-11-27T04:00:00Z`, fractions and offsets allowed), as the catalog writes times.
    func time(_ name: String) throws -> String? {
        guard let text = try string(name, maxLength: 40) else { return nil }
        guard let seconds = Self.parseTime(text) else {
            throw APIError.badParameter(name, "'\(text)' is not an RFC 3339 time such as 2026-11-27T04:00:00Z")
        }
        // Times before 1970 or after 9999 select the same rows as those bounds.
        return WallClock.iso8601(min(max(seconds, 0), 253_402_300_799))
    }

    static func parseTime(_ text: String) -> Double? {
        RFC3339.seconds(text)
    }
}
