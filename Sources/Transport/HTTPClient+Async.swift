import Foundation
import Synchronization

extension HTTPClient {
    /// Sends a request from Swift concurrency: the blocking transfer runs on a thread of its own, and
    /// cancelling the task aborts it (within about a second).
    public func send(_ request: HTTPRequest, retry: RetryPolicy = .none) async throws -> HTTPResponse {
        try await Self.offThread { isCancelled in try self.send(request, retry: retry, isCancelled: isCancelled) }
    }

    /// Streams a response from Swift concurrency (see `stream(_:isCancelled:onData:)`); cancelling the task ends it.
    public func stream(_ request: HTTPRequest, onData: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) async throws -> HTTPResponse {
        try await Self.offThread { isCancelled in try self.stream(request, isCancelled: isCancelled, onData: onData) }
    }

    /// Runs blocking work on a dedicated thread, so libcurl never blocks the cooperative pool.
    static func offThread<T: Sendable>(_ work: @escaping @Sendable (_ isCancelled: @escaping () -> Bool) throws -> T) async throws -> T {
        let cancelled = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                let thread = Thread {
                    do {
                        continuation.resume(returning: try work { cancelled.isRaised })
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "pybak.transfer"
                thread.start()
            }
        } onCancel: {
            cancelled.raise()
        }
    }
}

/// A flag shared between a task's cancellation handler and the transfer thread.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func raise() { value.store(true, ordering: .relaxed) }
    var isRaised: Bool { value.load(ordering: .relaxed) }
}
