/// Fetches a document over HTTP(S): how the API reaches the OIDC issuer (discovery and JWKS).
///
/// The shipped implementation is libcurl (`Transport`); tests use an in-memory double.
public protocol HTTPGetter: Sendable {
    /// GETs `url`.
    /// - Returns: the status code and body.
    /// - Throws: when no response arrived (connection, TLS, timeout), with a message naming the URL.
    func get(_ url: String) async throws -> HTTPGetResponse
}

/// A status and a body.
public struct HTTPGetResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
