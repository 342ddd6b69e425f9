/// One API URL: `/api/v1/namespaces/NS/configmaps/NAME/status?query`, built from a resource type; pure, for tests.
public struct ResourcePath: Sendable, Equatable {
    /// The path, percent-encoded.
    public var path: String
    /// Query parameters in order, not yet encoded.
    public var query: [(name: String, value: String)]

    /// Builds the path of a collection, an object or a subresource.
    /// - Parameters:
    ///   - type: the resource type.
    ///   - namespace: the namespace (ignored for cluster-scoped types; nil lists across all namespaces).
    ///   - name: the object's name, or nil for the collection.
    ///   - subresource: `status`, `scale`, ... or nil.
    public init(_ type: ResourceType, namespace: String?, name: String? = nil, subresource: String? = nil) {
        var path = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        if type.isNamespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/\(type.plural)"
        if let name { path += "/\(Self.escape(name))" }
        if let subresource { path += "/\(subresource)" }
        self.path = path
        self.query = []
    }

    /// Adds a query parameter when the value is present.
    public mutating func add(_ name: String, _ value: String?) {
        if let value { query.append((name: name, value: value)) }
    }

    /// The absolute URL under `server` (`https://host:port`, a trailing slash or path prefix kept).
    public func url(server: String) -> String {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        guard !query.isEmpty else { return base + path }
        return base + path + "?" + query.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so selectors (`=`, `!`, `,`, `(`) survive.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    public static func == (lhs: ResourcePath, rhs: ResourcePath) -> Bool {
        lhs.path == rhs.path && lhs.query.elementsEqual(rhs.query) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
