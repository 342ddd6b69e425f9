/// A shell-style pattern over paths relative to the source folder.
///
/// `*` matches within one path segment, `**` matches any number of segments
/// (including none), `?` one character, `[abc]`/`[a-z]`/`[!a]` a class.
/// A pattern without `/` matches the file name in any folder, as in `.gitignore`.
public struct GlobPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let bytes: [UInt8]
    private let matchesBaseName: Bool

    /// Creates a pattern.
    /// - Throws: `PyBakError.config` when the pattern is empty or has an unclosed `[`.
    public init(_ text: String) throws {
        guard !text.isEmpty else { throw PyBakError(.config, "empty include/exclude pattern") }
        var body = Array(text.utf8)
        if body.first == UInt8(ascii: "/") { body.removeFirst() }
        if let open = body.lastIndex(of: UInt8(ascii: "[")), !body[open...].contains(UInt8(ascii: "]")) {
            throw PyBakError(.config, "pattern '\(text)' has an unclosed '['; escape it as [[] or close it")
        }
        self.text = text
        self.bytes = body
        self.matchesBaseName = !body.contains(UInt8(ascii: "/"))
    }

    public var description: String { text }

    /// Whether a relative path (segments separated by `/`) matches.
    public func matches(_ relativePath: String) -> Bool {
        let path = Array(relativePath.utf8)
        if matchesBaseName {
            let start = path.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
            return Self.match(bytes[...], path[start...])
        }
        return Self.match(bytes[...], path[...])
    }

    private static let slash = UInt8(ascii: "/")
    private static let star = UInt8(ascii: "*")

    private static func match(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        while p < pattern.endIndex {
            let c = pattern[p]
            if c == star {
                let isDouble = p + 1 < pattern.endIndex && pattern[p + 1] == star
                if isDouble {
                    // `**/` matches zero or more whole segments; a trailing `**` matches the rest.
                    var rest = p + 2
                    if rest < pattern.endIndex && pattern[rest] == slash { rest += 1 }
                    if rest == pattern.endIndex { return true }
                    var candidate = n
                    while true {
                        if match(pattern[rest...], name[candidate...]) { return true }
                        guard let nextSlash = name[candidate...].firstIndex(of: slash) else { return false }
                        candidate = nextSlash + 1
                    }
                }
                // A single `*`: any run of non-slash characters.
                let rest = p + 1
                var candidate = n
                while true {
                    if match(pattern[rest...], name[candidate...]) { return true }
                    if candidate == name.endIndex || name[candidate] == slash { return false }
                    candidate += 1
                }
            }
            guard n < name.endIndex else { return false }
            if c == UInt8(ascii: "?") {
                if name[n] == slash { return false }
            } else if c == UInt8(ascii: "[") {
                guard let (ok, next) = matchClass(pattern, from: p, name[n]) else { return false }
                if !ok { return false }
                p = next
                n += 1
                continue
            } else if c != name[n] {
                return false
            }
            p += 1
            n += 1
        }
        return n == name.endIndex
    }

    /// Matches one byte against a `[...]` class starting at `start`; returns (matched, index after `]`).
    private static func matchClass(_ pattern: ArraySlice<UInt8>, from start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex && (pattern[i] != UInt8(ascii: "]") || first) {
            first = false
            let low = pattern[i]
            if i + 2 < pattern.endIndex && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                if byte >= low && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if byte == low { matched = true }
                i += 1
            }
        }
        guard i < pattern.endIndex else { return nil }
        return (matched != negate && byte != slash, i + 1)
    }
}

/// Include and exclude patterns together: a path is selected when it matches an
/// include (or there are none) and no exclude.
public struct PathFilter: Sendable, Equatable {
    /// Patterns a path must match one of; empty means everything.
    public var include: [GlobPattern]
    /// Patterns that remove a path.
    public var exclude: [GlobPattern]

    /// Creates a filter.
    public init(include: [GlobPattern] = [], exclude: [GlobPattern] = []) {
        self.include = include
        self.exclude = exclude
    }

    /// Whether the relative path is selected.
    public func selects(_ relativePath: String) -> Bool {
        if !include.isEmpty && !include.contains(where: { $0.matches(relativePath) }) { return false }
        return !exclude.contains(where: { $0.matches(relativePath) })
    }
}
