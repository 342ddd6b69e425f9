import Testing

@testable import KubeClient

@Suite struct KubeErrorTests {
    static func status(_ code: Int, _ reason: String, extra: String = "") -> [UInt8] {
        Array(#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"m \#(reason)","reason":"\#(reason)","code":\#(code)\#(extra)}"#.utf8)
    }

    @Test(arguments: [
        (404, "NotFound", KubeError.Code.notFound), (409, "AlreadyExists", .alreadyExists), (409, "Conflict", .conflict),
        (410, "Expired", .expired), (410, "Gone", .expired), (422, "Invalid", .invalid), (403, "Forbidden", .forbidden),
        (401, "Unauthorized", .unauthorized), (429, "TooManyRequests", .tooManyRequests), (500, "InternalError", .serverError),
        (503, "ServiceUnavailable", .serverError), (400, "BadRequest", .badRequest), (415, "UnsupportedMediaType", .unsupportedMediaType),
    ])
    func statusBodiesBecomeCodes(code: Int, reason: String, expected: KubeError.Code) {
        let error = KubeError.fromResponse(httpStatus: code, body: Self.status(code, reason), retryAfterHeader: nil, endpoint: "GET /x")
        #expect(error.code == expected)
        #expect(error.reason == reason)
        #expect(error.message == "m \(reason)")
        #expect(error.description.contains("HTTP \(code) \(reason) — m \(reason)"))
    }

    @Test func invalidCarriesCausesAndRetryAfterComesFromHeaderOrDetails() {
        let invalid = KubeError.fromResponse(
            httpStatus: 422,
            body: Self.status(422, "Invalid", extra: #","details":{"name":"w","kind":"Widget","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.size"}]}"#),
            retryAfterHeader: nil, endpoint: "POST /w")
        #expect(invalid.causes.map(\.field) == ["spec.size"])
        #expect(invalid.description.contains("[spec.size: Required value]"))

        let header = KubeError.fromResponse(httpStatus: 429, body: Self.status(429, "TooManyRequests"), retryAfterHeader: "3", endpoint: "GET /x")
        #expect(header.retryAfter == 3 && header.isRetryable)
        let details = KubeError.fromResponse(httpStatus: 503, body: Self.status(503, "ServiceUnavailable", extra: #","details":{"retryAfterSeconds":7}"#), retryAfterHeader: nil, endpoint: "GET /x")
        #expect(details.retryAfter == 7)
    }

    @Test func aBodyThatIsNotAStatusKeepsItsText() {
        let error = KubeError.fromResponse(httpStatus: 502, body: Array("<html>bad gateway</html>".utf8), retryAfterHeader: nil, endpoint: "GET /x")
        #expect(error.code == .serverError && error.status == nil)
        #expect(error.message == "<html>bad gateway</html>")
    }

    @Test func watchErrorEventsDecode() throws {
        let decoder = WatchDecoder<ConfigMap>(endpoint: "GET /w")
        let line = Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#.utf8) + [10]
        #expect {
            _ = try line.withUnsafeBytes { try decoder.feed($0) }
        } throws: { error in
            (error as? KubeError)?.code == .expired && (error as? KubeError)?.message == "too old resource version: 1 (5)"
        }
        let bookmark = Array(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"99"}}}"#.utf8) + [10]
        let events = try bookmark.withUnsafeBytes { try WatchDecoder<ConfigMap>(endpoint: "x").feed($0) }
        guard case .bookmark(let version) = events.first else {
            Issue.record("expected a bookmark, got \(events)")
            return
        }
        #expect(version == "99")
    }
}
