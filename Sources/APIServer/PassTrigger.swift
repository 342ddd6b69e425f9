/// Starts passes on request (`POST /compress`).
///
/// The daemon starts a pass in-process; in a cluster an implementation creates a Job from the
/// policy's CronJob. The API server knows only this protocol.
public protocol PassTrigger: Sendable {
    /// Starts a pass of one policy, or of every policy when `request.policy` is nil.
    /// - Returns: one entry per started pass, once each has a run (or Job) id.
    /// - Throws: `TriggerError`.
    func trigger(_ request: TriggerRequest) async throws -> [TriggeredRun]
}

/// What a caller asked for.
public struct TriggerRequest: Sendable, Equatable {
    /// The policy name; nil for all.
    public var policy: String?
    /// Who asked: the token's subject.
    public var requestedBy: String
    /// Why, when the caller said.
    public var reason: String?
    /// The caller's `Idempotency-Key`, when given (a cluster trigger records it on the Job and derives the Job's name from it).
    public var idempotencyKey: String?

    /// Creates a request.
    public init(policy: String?, requestedBy: String, reason: String?, idempotencyKey: String? = nil) {
        self.policy = policy
        self.requestedBy = requestedBy
        self.reason = reason
        self.idempotencyKey = idempotencyKey
    }
}

/// A pass that was started.
public struct TriggeredRun: Sendable, Equatable, Codable {
    /// The policy name.
    public var policy: String
    /// The catalog's run id, when the pass has one already.
    public var runId: Int64?
    /// The Kubernetes Job, for cluster triggers.
    public var job: String?

    /// Creates an entry.
    public init(policy: String, runId: Int64?, job: String? = nil) {
        self.policy = policy
        self.runId = runId
        self.job = job
    }
}

/// Why a trigger did not start a pass.
public enum TriggerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No policy by that name.
    case unknownPolicy(String, known: [String])
    /// That policy has a pass running already (run id when known).
    case alreadyRunning(policy: String, runId: Int64?)
    /// The request cannot be served as asked (an ambiguous policy name); the message says what to give instead.
    case invalid(String)
    /// The pass could not start (folders, catalog); the message says what to do.
    case failed(String)

    public var description: String {
        switch self {
        case .unknownPolicy(let name, let known):
            return "no policy named '\(name)'; known: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .alreadyRunning(let policy, let runId):
            return "policy '\(policy)' already has a pass running\(runId.map { " (run \($0))" } ?? ""); wait for it to finish"
        case .invalid(let message), .failed(let message):
            return message
        }
    }
}
