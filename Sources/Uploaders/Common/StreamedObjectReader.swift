import Foundation
import PyBakCore

/// A `StoredObjectReader` over a download running on a thread of its own: the download pushes bytes into a
/// bounded pipe and `read(into:)` pulls them, so an object of any size passes through `capacity` bytes of memory.
/// Every cloud source (S3, GCS) streams its GET through one of these.
public final class StreamedObjectReader: StoredObjectReader {
    /// Runs the whole download: hands each piece of the body to `deliver` (false: the reader stopped, end
    /// quietly) and throws a `StoredObjectError` when the object cannot be read. `isStopped` tells a transfer
    /// in progress that the reader is gone.
    public typealias Download = @Sendable (_ deliver: (UnsafeRawBufferPointer) -> Bool, _ isStopped: @escaping @Sendable () -> Bool) throws -> Void

    private let pipe: BoundedPipe
    private let done = DispatchSemaphore(value: 0)
    private var joined = false

    /// Starts the download and waits until its first bytes arrive or it fails.
    /// - Parameters:
    ///   - capacity: bytes buffered between the download and the reader.
    ///   - download: the transfer, run on a new thread.
    /// - Throws: the download's error when it fails before sending anything (e.g. `StoredObjectError.missing` on 404).
    public init(capacity: Int = 1 << 20, download: @escaping Download) throws {
        let pipe = BoundedPipe(capacity: capacity)
        self.pipe = pipe
        let done = self.done
        let thread = Thread {
            do {
                try download({ pipe.write($0) }, { pipe.isClosed })
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
            done.signal()
        }
        thread.name = "pybak.download"
        thread.start()
        do {
            try pipe.awaitFirst()
        } catch {
            pipe.close()
            done.wait()
            joined = true
            throw error
        }
    }

    deinit {
        pipe.close()
        if !joined { done.wait() }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try pipe.read(into: buffer)
    }
}
