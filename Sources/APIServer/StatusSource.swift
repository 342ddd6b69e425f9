/// What only the running process knows: the policies it schedules, their next run and the
/// progress of passes in flight. The daemon provides one; `pybak serve` may have none.
public protocol StatusSource: Sendable {
    /// The current view.
    func liveStatus() async -> [LivePolicy]
}

/// One scheduled policy, as its scheduler sees it now.
public struct LivePolicy: Sendable, Equatable, Codable {
    /// The policy name.
    public var name: String
    /// When the next scheduled pass starts, ISO 8601 UTC; nil when not scheduled.
    public var nextRunAt: String?
    /// The pass in flight, if any.
    public var progress: LiveProgress?

    /// Creates an entry.
    public init(name: String, nextRunAt: String?, progress: LiveProgress?) {
        self.name = name
        self.nextRunAt = nextRunAt
        self.progress = progress
    }
}

/// Progress of a pass in flight.
public struct LiveProgress: Sendable, Equatable, Codable {
    public var runId: Int64?
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int64
    public var bytesTotal: Int64

    /// Creates a snapshot.
    public init(runId: Int64?, filesDone: Int, filesTotal: Int, bytesDone: Int64, bytesTotal: Int64) {
        self.runId = runId
        self.filesDone = filesDone
        self.filesTotal = filesTotal
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
    }
}
