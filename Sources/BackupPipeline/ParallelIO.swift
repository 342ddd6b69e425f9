import Foundation

/// Runs a batch of independent file-system calls (lstat, rename, unlink) on a few threads at once.
///
/// Those calls spend most of their time in the kernel, often waiting (an unlink on a file system
/// mounted with `discard` waits for the device), so the committer hands a batch's calls to
/// helper threads instead of making them one after another; the compressing workers keep the
/// cores meanwhile. The order between batches is unchanged: `map` returns only when every call is done.
enum ParallelIO {
    /// Threads per batch at most; the calls mostly wait, so more than the cores.
    static let threads = 4
    /// Calls per helper thread at least: below that a thread costs more than it saves.
    static let callsPerThread = 8

    /// `body(0) ..< body(count - 1)` on up to `threads` threads; results in index order.
    static func map<T>(_ count: Int, threads: Int = ParallelIO.threads, _ body: @escaping (Int) -> T) -> [T] {
        let helpers = min(threads, count / callsPerThread)
        if helpers < 2 { return (0..<count).map(body) }
        let shared = ParallelResults<T>(count: count, body: body)
        let done = DispatchGroup()
        for _ in 0..<helpers {
            done.enter()
            let thread = Thread {
                shared.drain()
                done.leave()
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        done.wait()
        return shared.results.map { $0! }
    }
}

/// The shared state of one `ParallelIO.map`: the next index to take and the results so far.
private final class ParallelResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private let body: (Int) -> T
    /// Read only after every helper has finished.
    var results: [T?]

    init(count: Int, body: @escaping (Int) -> T) {
        self.count = count
        self.body = body
        results = Array(repeating: nil, count: count)
    }

    /// Takes indexes until none is left.
    func drain() {
        while true {
            lock.lock()
            let index = next
            next += 1
            lock.unlock()
            guard index < count else { return }
            let value = body(index)
            lock.lock()
            results[index] = value
            lock.unlock()
        }
    }
}
