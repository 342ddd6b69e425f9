import BackupPipeline
import Foundation

/// Redraws a progress line on stderr while a pass runs, when stderr is a terminal.
final class ProgressLine: Sendable {
    let counters: PassProgress
    private let active: Bool
    private let stopped = NSCondition()
    nonisolated(unsafe) private var running = false

    /// A progress line that draws only when stderr is a terminal.
    /// - Parameter counters: the pass's counters (shared with `/status` in the daemon).
    init(counters: PassProgress = PassProgress()) {
        self.counters = counters
        active = isatty(2) == 1
    }

    /// Starts redrawing every 200 ms.
    func start() {
        guard active else { return }
        running = true
        let thread = Thread { [self] in
            while true {
                stopped.lock()
                let keepGoing = running
                if keepGoing { _ = stopped.wait(until: Date(timeIntervalSinceNow: 0.2)) }
                stopped.unlock()
                guard keepGoing else { return }
                if let line = counters.line { LineSink.standardError.writeRaw("\r\u{1B}[K" + line) }
            }
        }
        thread.start()
    }

    /// Erases the line (before a log line is printed).
    func clear() {
        if active && running { LineSink.standardError.writeRaw("\r\u{1B}[K") }
    }

    /// Stops redrawing and erases the line.
    func stop() {
        guard active else { return }
        stopped.lock()
        running = false
        stopped.signal()
        stopped.unlock()
        LineSink.standardError.writeRaw("\r\u{1B}[K")
    }
}
