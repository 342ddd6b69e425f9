/// Starts passes on request (`POST /compress`).
///
/// The daemon starts a pass in-process; in a cluster an implementation creates a Job from the
/// policy's CronJob. The API server knows only this protocol.
public protocol PassTrigger: Sendable {
    /// Starts a pass of one policy, or of every policy when `request.policy` is nil.
    /// - Returns: one entry per started pass, once each has a run (or Job) id, and the policies an
    ///   all-policies trigger left out, with why.
    /// - Throws: `TriggerError`.
    func trigger(_ request: TriggerRequest) async throws -> TriggerOutcome
}

/// What a trigger did: the passes it started, and the policies an all-policies trigger left out.
public struct TriggerOutcome: Sendable, Equatable {
    /// The started passes.
    public var runs: [TriggeredRun]
    /// Policies not started, each with why (all-policies triggers only; one named policy that cannot start is an error).
    public var skipped: [SkippedPolicy]

    /// Creates an outcome.
    public init(runs: [TriggeredRun], skipped: [SkippedPolicy] = []) {
        self.runs = runs
        self.skipped = skipped
    }
}

/// A policy an all-policies trigger did not start.
public struct SkippedPolicy: Sendable, Equatable, Codable {
    /// Why a policy was not started.
    public enum Reason: String, Sendable, Codable {
        /// A pass (or Job) of it has not finished.
        case running
        /// Its schedule is suspended (`spec.suspend`).
        case suspended
    }

    /// The policy name.
    public var policy: String
    /// Why it was not started.
    public var reason: Reason

    /// Creates an entry.
    public init(policy: String, reason: Reason) {
        self.policy = policy
        self.reason = reason
    }
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
    /// An all-policies trigger found policies, but none can start now.
    case nothingToStart([SkippedPolicy])

    public var description: String {
        switch self {
        case .unknownPolicy(let name, let known):
            return "no policy named '\(name)'; known: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .alreadyRunning(let policy, let runId):
            return "policy '\(policy)' already has a pass running\(runId.map { " (run \($0))" } ?? ""); wait for it to finish"
        case .invalid(let message), .failed(let message):
            return message
        case .nothingToStart(let skipped):
            let listed = skipped.map { "\($0.policy) (\($0.reason.rawValue))" }.joined(separator: ", ")
            return "no policy can start now: " + listed + "; wait for running passes to finish, or resume suspended policies"
        }
    }
}
