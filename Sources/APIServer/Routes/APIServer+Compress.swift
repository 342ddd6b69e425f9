import Foundation
import HTTPTypes
import Hummingbird

extension APIServer {
    /// `POST /compress`: starts a pass of one policy (`{"policy": "name"}`) or of all (`{}`), answers 202.
    func addCompressRoutes(to router: Router<APIRequestContext>) {
        router.post("/compress") { request, context -> Response in
            let principal = context.principal ?? .anonymous
            guard let trigger else {
                throw APIError(.notImplemented, code: "not_implemented", "this server cannot start passes (no trigger is configured)")
            }
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let compress = try CompressRequest.decode(body, contentType: request.headers[.contentType])
            let key = try request.headers[.idempotencyKey].map(Self.checkedIdempotencyKey)
            if let key {
                switch await idempotency.begin(subject: principal.subject, key: key, fingerprint: compress.fingerprint) {
                case .replay(let stored):
                    var headers = stored.headers
                    headers[.idempotentReplayed] = "true"
                    return Response(status: stored.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
                case .inProgress:
                    throw APIError(.conflict, code: "idempotency_in_progress", "a request with this Idempotency-Key is still being processed; retry later")
                case .mismatch:
                    throw APIError(.unprocessableContent, code: "idempotency_mismatch", "this Idempotency-Key was used with a different body; use a new key")
                case .fresh:
                    break
                }
            }
            do {
                if let wait = await rateLimiter.take(subject: principal.subject) {
                    throw APIError(
                        .tooManyRequests, code: "rate_limited", "too many triggers; retry in \(Int(wait.rounded(.up))) s",
                        headers: [.retryAfter: "\(Int(wait.rounded(.up)))"]
                    )
                }
                let response = try await startPasses(trigger: trigger, compress: compress, principal: principal, idempotencyKey: key)
                if let key { await idempotency.finish(subject: principal.subject, key: key, response: response) }
                return try response.response()
            } catch {
                if let key { await idempotency.abandon(subject: principal.subject, key: key) }
                throw error
            }
        }
    }

    private func startPasses(trigger: any PassTrigger, compress: CompressRequest, principal: Principal, idempotencyKey: String?) async throws -> StoredResponse {
        let outcome: TriggerOutcome
        do {
            outcome = try await trigger.trigger(
                TriggerRequest(policy: compress.policy, requestedBy: principal.subject, reason: compress.reason, idempotencyKey: idempotencyKey))
        } catch let error as TriggerError {
            switch error {
            case .unknownPolicy: throw APIError(.notFound, code: "unknown_policy", error.description)
            case .alreadyRunning: throw APIError(.conflict, code: "already_running", error.description)
            case .invalid: throw APIError(.badRequest, code: "invalid_policy", error.description)
            case .failed: throw APIError(.serviceUnavailable, code: "trigger_failed", error.description)
            case .nothingToStart: throw APIError(.conflict, code: "nothing_to_start", error.description)
            }
        }
        let runs = outcome.runs
        metrics.triggered(count: runs.count)
        logger.notice("passes triggered", metadata: [
            "requested.by": "\(principal.subject)", "policy.name": "\(compress.policy ?? "*")",
            "run.ids": "\(runs.compactMap(\.runId).map(String.init).joined(separator: ","))",
            "job.names": "\(runs.compactMap(\.job).joined(separator: ","))",
            "skipped": "\(outcome.skipped.map { $0.policy + ":" + $0.reason.rawValue }.joined(separator: ","))",
        ])
        let body = TriggerAccepted(requestedBy: principal.subject, runs: runs, skipped: outcome.skipped)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if runs.count == 1, let id = runs[0].runId { headers[.location] = "/runs/\(id)" }
        return StoredResponse(status: .accepted, headers: headers, body: Array(try JSONEncoder().encode(body)))
    }

    static func checkedIdempotencyKey(_ key: String) throws -> String {
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw APIError.badParameter("Idempotency-Key", "use 1 to 255 visible ASCII characters (a UUID is typical)")
        }
        return key
    }
}

/// The body of `POST /compress`.
struct CompressRequest: Decodable, Sendable {
    var policy: String?
    var reason: String?

    /// Decodes an empty body as "all policies"; anything else must be a JSON object with known keys.
    static func decode(_ body: ByteBuffer, contentType: String?) throws -> CompressRequest {
        if body.readableBytes == 0 { return CompressRequest() }
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "send the body as application/json")
        }
        let data = Data(body.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(.badRequest, code: "invalid_body", "the body is not a JSON object such as {\"policy\": \"name\"}")
        }
        let unknown = Set(object.keys).subtracting(["policy", "reason"])
        guard unknown.isEmpty else {
            throw APIError(.badRequest, code: "invalid_body", "unknown field(s) \(unknown.sorted().joined(separator: ", ")); known: policy, reason")
        }
        var request = CompressRequest()
        for (key, value) in object {
            let length = (value as? String)?.unicodeScalars.count ?? -1
            guard length >= 0, key == "policy" ? (1...253).contains(length) : length <= 1024, let text = value as? String else {
                throw APIError.badParameter(key, key == "policy" ? "must be a policy name (1 to 253 characters)" : "must be text up to 1024 characters")
            }
            if key == "policy" { request.policy = text } else { request.reason = text }
        }
        return request
    }

    /// Identifies the request for idempotency checks.
    var fingerprint: String { "\(policy ?? "*")\u{0}\(reason ?? "")" }
}

/// The 202 answer.
struct TriggerAccepted: Encodable {
    var requestedBy: String
    var runs: [TriggeredRun]
    /// Policies an all-policies trigger left out, with why; empty otherwise.
    var skipped: [SkippedPolicy]
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
