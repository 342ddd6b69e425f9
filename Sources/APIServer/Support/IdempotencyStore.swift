import Foundation
import HTTPTypes
import Hummingbird

/// A response kept for replay under an `Idempotency-Key`.
struct StoredResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]

    func response() throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Remembers `POST /compress` answers per caller and key, so a retried request starts nothing new.
actor IdempotencyStore {
    enum Begin {
        /// First time: go ahead, then `finish` or `abandon`.
        case fresh
        /// Same key, same body, already answered: send this again.
        case replay(StoredResponse)
        /// Same key, still being answered.
        case inProgress
        /// Same key, different body.
        case mismatch
    }

    private enum Entry {
        case pending(fingerprint: String)
        case done(fingerprint: String, response: StoredResponse, expires: Double)
    }

    private var entries: [String: Entry] = [:]
    private let lifetimeSeconds: Double
    /// Entries kept at most; the oldest finished ones go first.
    private let capacity = 10_000

    init(lifetimeSeconds: Double) {
        self.lifetimeSeconds = lifetimeSeconds
    }

    func begin(subject: String, key: String, fingerprint: String) -> Begin {
        let id = subject + "\u{0}" + key
        let now = Date().timeIntervalSince1970
        switch entries[id] {
        case .pending(let stored):
            return stored == fingerprint ? .inProgress : .mismatch
        case .done(let stored, let response, let expires) where expires > now:
            return stored == fingerprint ? .replay(response) : .mismatch
        default:
            prune(now: now)
            entries[id] = .pending(fingerprint: fingerprint)
            return .fresh
        }
    }

    func finish(subject: String, key: String, response: StoredResponse) {
        let id = subject + "\u{0}" + key
        guard case .pending(let fingerprint) = entries[id] else { return }
        entries[id] = .done(fingerprint: fingerprint, response: response, expires: Date().timeIntervalSince1970 + lifetimeSeconds)
    }

    /// Forgets a key whose request failed, so the client may retry with it.
    func abandon(subject: String, key: String) {
        entries[subject + "\u{0}" + key] = nil
    }

    private func prune(now: Double) {
        guard entries.count >= capacity else { return }
        entries = entries.filter {
            if case .done(_, _, let expires) = $0.value { return expires > now }
            return true
        }
        while entries.count >= capacity, let victim = entries.first(where: { if case .done = $0.value { return true } else { return false } }) {
            entries[victim.key] = nil
        }
    }
}
