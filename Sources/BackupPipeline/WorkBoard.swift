import Foundation

/// Hands work items to worker threads and their outcomes to the committer thread.
final class WorkBoard: @unchecked Sendable {
    private let condition = NSCondition()
    private let items: [ScannedFile]
    private var next = 0
    private var completed: [ProcessOutcome] = []
    private var runningWorkers: Int
    private var stopped = false

    init(items: [ScannedFile], workers: Int) {
        self.items = items
        self.runningWorkers = workers
    }

    /// The next file for a worker, or nil when there is no more work (or a stop was asked).
    func take() -> ScannedFile? {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, next < items.count else { return nil }
        next += 1
        return items[next - 1]
    }

    /// A worker hands in an outcome.
    func complete(_ outcome: ProcessOutcome) {
        condition.lock()
        completed.append(outcome)
        condition.signal()
        condition.unlock()
    }

    /// A worker has no more work.
    func workerFinished() {
        condition.lock()
        runningWorkers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops handing out work; files in flight still complete.
    func stop() {
        condition.lock()
        stopped = true
        condition.unlock()
    }

    /// Files never handed out (after a stop).
    var untakenCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - next
    }

    /// Waits for at least `batch` outcomes, `maxWait` seconds, or the end of work.
    /// - Returns: the outcomes, or nil when every worker is done and nothing is left.
    func awaitBatch(batch: Int, maxWait: Double) -> [ProcessOutcome]? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: maxWait)
        while completed.count < batch && runningWorkers > 0 {
            if !condition.wait(until: deadline) { break }
        }
        if completed.isEmpty && runningWorkers == 0 { return nil }
        let taken = completed
        completed.removeAll(keepingCapacity: true)
        return taken
    }
}

/// Starts `body(workerIndex)` on `count` new threads; they report their end through the `WorkBoard`.
@discardableResult
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> [Thread] {
    (0..<count).map { index in
        let thread = Thread { body(index) }
        thread.stackSize = 1 << 20
        thread.name = "pybak-worker-\(index)"
        thread.start()
        return thread
    }
}
