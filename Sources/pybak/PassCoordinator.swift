import APIServer
import BackupPipeline
import Foundation
import PyBakCore

/// Keeps the daemon's passes one at a time, whoever starts them (the schedule or `POST /compress`),
/// and tells `/status` what is running and when the next scheduled pass starts.
actor PassCoordinator: StatusSource {
    let policy: String
    /// Raised on graceful shutdown: passes in flight finish their files and stop.
    nonisolated let cancellation = CancellationFlag()
    private var running: (runId: Int64?, progress: PassProgress)?
    private var nextRunAt: Double?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(policy: String) {
        self.policy = policy
    }

    /// Claims the pass slot if it is free.
    /// - Returns: the counters for the pass, or nil when a pass is running (then `runningId` says which).
    func tryBegin() -> PassProgress? {
        guard running == nil else { return nil }
        let progress = PassProgress()
        running = (nil, progress)
        return progress
    }

    /// Waits for the slot, then claims it (the schedule queues behind a triggered pass).
    func begin() async -> PassProgress {
        while running != nil {
            await withCheckedContinuation { waiters.append($0) }
        }
        return tryBegin()!
    }

    /// The run id of the pass in flight, once known.
    var runningId: Int64? { running?.runId }

    func started(runId: Int64) {
        running?.runId = runId
    }

    /// Frees the slot.
    func end() {
        running = nil
        let woken = waiters
        waiters = []
        woken.forEach { $0.resume() }
    }

    /// Waits until no pass runs (shutdown waits for a triggered pass to commit).
    func waitIdle() async {
        while running != nil {
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    func setNextRun(_ epochSeconds: Double?) {
        nextRunAt = epochSeconds
    }

    func liveStatus() async -> [LivePolicy] {
        let progress = running.map { pass in
            let s = pass.progress.snapshot
            return LiveProgress(runId: pass.runId, filesDone: s.doneFiles, filesTotal: s.totalFiles, bytesDone: s.doneBytes, bytesTotal: s.totalBytes)
        }
        return [LivePolicy(name: policy, nextRunAt: nextRunAt.map(WallClock.iso8601), progress: progress)]
    }
}
