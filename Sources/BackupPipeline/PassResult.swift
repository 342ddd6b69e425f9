import Catalog

/// What a pass did, for the report, the JSON summary and the exit code.
public struct PassResult: Sendable, Codable {
    /// The catalog's run id.
    public var runId: Int64
    /// The policy name.
    public var policy: String
    /// The pass stamp in output names.
    public var passStamp: String
    /// How it ended.
    public var status: RunStatus
    /// Counts and bytes.
    public var counts: RunCounts
    /// Why the pass stopped early, when it did.
    public var error: String?
    /// Seconds from start to end.
    public var durationSeconds: Double
    /// The report files written, text then JSON.
    public var reportPaths: [String]

    /// The documented exit code for this result.
    public var exitCode: Int32 {
        switch status {
        case .succeeded, .running: return 0
        case .partial: return 3
        case .failed: return 1
        }
    }
}
