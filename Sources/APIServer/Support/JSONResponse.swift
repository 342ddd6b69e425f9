import Foundation
import Hummingbird

/// Encodes a value as a JSON response with the given status (Hummingbird's default is 200).
func encodeJSON<T: Encodable>(_ value: T, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws -> Response {
    let data = try JSONEncoder().encode(value)
    var headers = headers
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
