/// One HTTP request: method, URL, headers, body and limits.
public struct HTTPRequest: Sendable {
    /// What the request sends.
    public enum Body: Sendable {
        /// No body.
        case none
        /// Bytes held in memory (small documents: JSON, XML, form data).
        case bytes([UInt8])
        /// A byte range of a file, streamed from disk in fixed buffers; re-read from the start on a retry.
        case file(path: String, offset: Int64, length: Int64)
        /// Bytes, then a file range streamed from disk, then bytes (a multipart/related upload whose
        /// framing is in memory and whose content is not).
        case framedFile(head: [UInt8], path: String, offset: Int64, length: Int64, tail: [UInt8])
    }

    /// `GET`, `PUT`, `POST`, `PATCH`, `DELETE`, `HEAD`.
    public var method: String
    /// The absolute URL, already percent-encoded.
    public var url: String
    /// Header fields in order; names as sent.
    public var headers: [(name: String, value: String)]
    /// The request body.
    public var body: Body
    /// Seconds allowed for the whole exchange; nil for none (watch streams set their own deadline).
    public var timeout: Double?
    /// Largest response body kept in memory; a bigger one fails with a clear error.
    public var maxResponseBytes: Int

    /// Creates a request.
    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Body = .none, timeout: Double? = 60, maxResponseBytes: Int = 16 << 20) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The method and URL without the query string (which may hold signatures or tokens), for messages and logs.
    public var endpoint: String {
        let base = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return "\(method) \(Self.withoutUserInfo(base))"
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    private static func withoutUserInfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let slash = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        return at < slash ? String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...]) : url
    }
}
