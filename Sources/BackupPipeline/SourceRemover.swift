import Foundation
import PyBakCore

/// Removes the sources of committed batches on a thread of its own, so the committer goes on with the next
/// batch meanwhile (the unlinks, each waiting on the device here, were a third of the committer's time).
///
/// A batch is submitted only after its rows are marked stored; each source is checked to be the very file
/// that was read, unlinked, and the source's file system synced before the batch is reported back. The
/// committer records the dispositions from the reports (`takeFinished`, `finish`), on its own thread, as the
/// catalog requires. A crash in between loses nothing: rows still marked for removal are finished by the next pass.
final class SourceRemover: @unchecked Sendable {
    /// One submitted batch and, once done, what became of each of its sources.
    struct Batch {
        var entries: [(id: Int64, file: ScannedFile)]
        var verdicts: [RemovalVerdict] = []
        /// Why the sync of the source after the removals failed, if it did.
        var syncError: String?
    }

    private let root: String
    private let condition = NSCondition()
    private var queued: [Batch] = []
    private var finished: [Batch] = []
    private var busy = false
    private var closing = false
    private var thread: Thread?

    /// A remover for sources under `root` (the thread starts with the first batch).
    init(root: String) {
        self.root = root
    }

    /// Queues the sources of a committed batch for removal.
    func submit(_ entries: [(id: Int64, file: ScannedFile)]) {
        guard !entries.isEmpty else { return }
        condition.lock()
        queued.append(Batch(entries: entries))
        if thread == nil {
            let thread = Thread { [self] in loop() }
            thread.stackSize = 512 << 10
            thread.name = "pybak-remover"
            self.thread = thread
            thread.start()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// The batches done so far (without waiting).
    func takeFinished() -> [Batch] {
        condition.lock()
        defer { condition.unlock() }
        let done = finished
        finished.removeAll()
        return done
    }

    /// Waits until every submitted batch is done, stops the thread, and returns the batches not yet taken.
    func finish() -> [Batch] {
        condition.lock()
        closing = true
        condition.broadcast()
        while busy || !queued.isEmpty { condition.wait() }
        let done = finished
        finished.removeAll()
        condition.unlock()
        return done
    }

    private func loop() {
        while true {
            condition.lock()
            while queued.isEmpty && !closing { condition.wait() }
            guard !queued.isEmpty else {
                condition.unlock()
                return
            }
            var batch = queued.removeFirst()
            busy = true
            condition.unlock()

            batch.verdicts = Self.remove(batch.entries, root: root)
            if batch.verdicts.contains(where: \.removedSource) {
                do {
                    try POSIX.syncFileSystem(of: root)
                } catch {
                    batch.syncError = "\(error)"
                }
            }

            condition.lock()
            finished.append(batch)
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Checks each source is the file that was read and unlinks it (on helper threads: the calls mostly wait).
    static func remove(_ entries: [(id: Int64, file: ScannedFile)], root: String) -> [RemovalVerdict] {
        ParallelIO.map(entries.count) { index -> RemovalVerdict in
            let file = entries[index].file
            let path = "\(root)/\(file.relativePath)"
            guard let now = try? POSIX.lstat(path) else { return .gone }
            guard now.isSameFile(as: file.status) else { return .changed }
            do {
                try POSIX.unlink(path)
                return .removed
            } catch {
                return .failed("\(error)")
            }
        }
    }
}

/// What became of one source at removal time.
enum RemovalVerdict: Sendable {
    case removed
    /// Already gone.
    case gone
    /// Not the file that was read any more.
    case changed
    case failed(String)

    /// Whether a name was unlinked (so the source's directory needs a sync).
    var removedSource: Bool {
        if case .removed = self { return true }
        return false
    }
}
