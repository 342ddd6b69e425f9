import Foundation

/// Time for the queue and the leader elector, injected so tests control it.
public protocol ControllerClock: Sendable {
    /// Seconds on a monotonic scale.
    func now() -> Double
    /// The wall-clock time (Lease times, status).
    func date() -> Date
    /// Waits the given seconds (throws on cancellation).
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemClock: ControllerClock {
    /// Creates the clock.
    public init() {}
    public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    public func date() -> Date { Date() }
    public func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
    }
}

/// A clock that moves only when told; sleepers wake when `advance` passes their deadline.
public final class ManualClock: ControllerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double
    private let epoch: Date
    private var sleepers: [(deadline: Double, continuation: CheckedContinuation<Void, Never>)] = []

    /// Creates a clock at `start` seconds, whose wall time is `epoch` plus that.
    public init(start: Double = 0, epoch: Date = Date(timeIntervalSince1970: 1_790_000_000)) {
        self.current = start
        self.epoch = epoch
    }

    public func now() -> Double { lock.withLock { current } }
    public func date() -> Date { epoch.addingTimeInterval(now()) }

    public func sleep(seconds: Double) async throws {
        await withCheckedContinuation { continuation in
            let ready: Bool = lock.withLock {
                if seconds <= 0 { return true }
                sleepers.append((current + seconds, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
        try Task.checkCancellation()
    }

    /// Moves time forward and wakes the sleepers whose deadline passed.
    public func advance(_ seconds: Double) {
        let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
            current += seconds
            let due = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return due.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// How many sleepers wait.
    public var sleeperCount: Int { lock.withLock { sleepers.count } }
}
