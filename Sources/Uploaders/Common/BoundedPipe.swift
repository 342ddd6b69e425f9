import Foundation

/// A fixed-size byte ring between one writer thread (a download) and one reader (restore): the writer
/// blocks while it is full, the reader while it is empty, so memory stays at `capacity` whatever the object's size.
final class BoundedPipe: @unchecked Sendable {
    private let condition = NSCondition()
    private let storage: UnsafeMutableRawBufferPointer
    private var head = 0
    private var count = 0
    private var ended = false
    private var failure: (any Error)?
    private var closed = false

    /// A pipe holding at most `capacity` bytes.
    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Whether the reader closed its end (the writer stops).
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Writer: appends all of `data`, waiting for room. Returns false when the reader closed its end.
    func write(_ data: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        condition.lock()
        defer { condition.unlock() }
        while offset < data.count {
            while count == storage.count && !closed { condition.wait() }
            if closed { return false }
            let tail = (head + count) % storage.count
            let n = min(data.count - offset, storage.count - count, storage.count - tail)
            (storage.baseAddress! + tail).copyMemory(from: data.baseAddress! + offset, byteCount: n)
            count += n
            offset += n
            condition.broadcast()
        }
        return true
    }

    /// Writer: no more data; `error` when the transfer failed.
    func finish(_ error: (any Error)?) {
        condition.lock()
        ended = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Reader: waits until there is data or the writer finished; throws the writer's error when it failed
    /// before sending anything.
    func awaitFirst() throws {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !ended { condition.wait() }
        if count == 0, let failure { throw failure }
    }

    /// Reader: copies up to `buffer.count` bytes; 0 at the end. Throws the writer's error once the data before it was read.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !ended { condition.wait() }
        if count == 0 {
            if let failure { throw failure }
            return 0
        }
        let n = min(buffer.count, count, storage.count - head)
        buffer.baseAddress!.copyMemory(from: storage.baseAddress! + head, byteCount: n)
        head = (head + n) % storage.count
        count -= n
        condition.broadcast()
        return n
    }

    /// Reader: gives up; the writer's next `write` returns false.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
