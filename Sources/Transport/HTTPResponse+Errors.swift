import Foundation

extension HTTPResponse {
    /// This response as a `TransportError` naming the endpoint, the status and the service's message.
    public func error(for request: HTTPRequest) -> TransportError {
        let retryAfter = header("retry-after").flatMap { RetryPolicy.parseRetryAfter($0, now: Date().timeIntervalSince1970) }
        return TransportError(
            kind: .status, endpoint: request.endpoint, status: status,
            serviceMessage: ServiceMessage.extract(from: body), detail: ServiceMessage.excerpt(of: body), retryAfter: retryAfter)
    }

    /// Returns self when 2xx, and throws the response as a `TransportError` otherwise.
    @discardableResult
    public func requireSuccess(for request: HTTPRequest) throws -> HTTPResponse {
        guard isSuccess else { throw error(for: request) }
        return self
    }
}

/// Finds a service's own error message in an error body: S3-style XML (`<Code>`, `<Message>`),
/// JSON with `message` / `error.message` / `error_description` (GCS, OAuth 2, Kubernetes `Status`).
public enum ServiceMessage {
    /// The message, prefixed with the service's error code when it gives one; nil when none is found.
    public static func extract(from body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let description = object["error_description"] as? String {
                return (object["error"] as? String).map { "\($0): \(description)" } ?? description
            }
            if let message = object["message"] as? String {
                return (object["reason"] as? String).map { "\($0): \(message)" } ?? message
            }
            if let error = object["error"] as? String { return error }
            return nil
        }
        let text = String(decoding: body, as: UTF8.self)
        let message = element("Message", in: text)
        let code = element("Code", in: text)
        switch (code, message) {
        case let (code?, message?): return "\(code): \(message)"
        case let (nil, message?): return message
        case let (code?, nil): return code
        default: return nil
        }
    }

    /// The start of a body as one line of text, for errors from services that send no structured message.
    public static func excerpt(of body: [UInt8], limit: Int = 300) -> String {
        let text = String(decoding: body.prefix(limit), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
