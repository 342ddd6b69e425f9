import PyBakCore

/// Seconds the committer spent in each step of its batches, summed over a pass (logged at debug level).
struct CommitTimings {
    private(set) var seconds: [String: Double] = [:]
    private var last = WallClock.monotonic()
    /// Batches committed.
    var batches = 0
    /// Files in the largest batch.
    var largestBatch = 0

    /// Starts timing a batch of `files` outcomes (the time since the last step counts as waiting for it).
    mutating func startBatch(files: Int) {
        batches += 1
        largestBatch = max(largestBatch, files)
        mark("wait")
    }

    /// Adds the time since the previous mark to `step`.
    mutating func mark(_ step: String) {
        let now = WallClock.monotonic()
        seconds[step, default: 0] += now - last
        last = now
    }

    /// Log metadata: `commit.<step>` seconds, batches and the largest batch.
    var metadata: [String: String] {
        var result = ["commit.batches": "\(batches)", "commit.largestBatch": "\(largestBatch)"]
        for (step, value) in seconds { result["commit.\(step)"] = String(format: "%.3f", value) }
        return result
    }
}
