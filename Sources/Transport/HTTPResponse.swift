/// What a server answered.
public struct HTTPResponse: Sendable {
    /// The HTTP status of the final response (after redirects and `100 Continue`).
    public var status: Int
    /// Header fields of the final response, names lower-cased.
    public var headers: [(name: String, value: String)]
    /// The body, when it was collected in memory.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
