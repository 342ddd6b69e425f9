import Foundation
import HTTPTypes
import Hummingbird

/// An error answered as JSON: `{"error": {"status": 404, "code": "not_found", "message": "..."}}`.
///
/// Never carries a stack trace or an internal type name: `message` is written for the caller.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `invalid_parameter`.
    public var code: String
    /// What went wrong and what to do.
    public var message: String
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// A 400 for a query parameter or body field that cannot be used.
    public static func badParameter(_ name: String, _ problem: String) -> APIError {
        APIError(.badRequest, code: "invalid_parameter", "\(name): \(problem)")
    }

    /// A 404 for a resource that does not exist.
    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", what)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let body = ErrorBody(error: .init(status: Int(status.code), code: code, message: message))
        let data = (try? JSONEncoder().encode(body)) ?? Data("{\"error\":{\"status\":\(status.code),\"code\":\"\(code)\"}}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let status: Int
            let code: String
            let message: String
        }
        let error: Detail
    }
}
