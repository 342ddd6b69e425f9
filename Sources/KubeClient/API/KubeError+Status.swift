import Foundation
import Transport

extension KubeError {
    /// The code for an HTTP status and `Status.reason`.
    static func code(httpStatus: Int, reason: String?) -> Code {
        switch (httpStatus, reason) {
        case (409, "AlreadyExists"): return .alreadyExists
        case (409, _): return .conflict
        case (_, "Expired"), (_, "Gone"), (410, _): return .expired
        case (400, _): return .badRequest
        case (401, _): return .unauthorized
        case (403, _): return .forbidden
        case (404, _): return .notFound
        case (415, _): return .unsupportedMediaType
        case (422, _): return .invalid
        case (429, _): return .tooManyRequests
        case (500..., _): return .serverError
        default: return .other
        }
    }

    /// Decodes a non-2xx answer from its `Status` body; a body that is not a `Status` keeps its start as the detail.
    /// - Parameters:
    ///   - httpStatus: the answer's status code.
    ///   - body: the answer's body.
    ///   - retryAfterHeader: the `Retry-After` header, if any.
    ///   - endpoint: the request, for the message.
    public static func fromResponse(httpStatus: Int, body: [UInt8], retryAfterHeader: String?, endpoint: String) -> KubeError {
        let status = try? JSONDecoder().decode(Status.self, from: Data(body))
        let usable = status.flatMap { $0.message != nil || $0.reason != nil ? $0 : nil }
        var retryAfter = retryAfterHeader.flatMap { RetryPolicy.parseRetryAfter($0, now: Date().timeIntervalSince1970) }
        if retryAfter == nil, let seconds = usable?.details?.retryAfterSeconds { retryAfter = Double(seconds) }
        return KubeError(
            code: code(httpStatus: httpStatus, reason: usable?.reason), endpoint: endpoint, httpStatus: httpStatus, status: usable,
            retryAfter: retryAfter, detail: usable == nil ? ServiceMessage.excerpt(of: body) : nil)
    }

    /// A watch `ERROR` event's `Status` as an error (410 -> `.expired`).
    static func fromWatchStatus(_ status: Status, endpoint: String) -> KubeError {
        let httpStatus = status.code ?? 500
        return KubeError(code: code(httpStatus: httpStatus, reason: status.reason), endpoint: endpoint, httpStatus: httpStatus, status: status)
    }

    /// A transport failure (no answer) as an error; TLS failures name where the configuration came from.
    static func fromTransport(_ error: TransportError, origin: String? = nil) -> KubeError {
        var kubeError = KubeError(code: .transport, endpoint: error.endpoint, httpStatus: error.status, transport: error)
        if error.kind == .tls { kubeError.credentials = origin }
        return kubeError
    }
}
