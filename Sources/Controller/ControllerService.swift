import Foundation
import Logging
import ServiceLifecycle

/// The acting part of the controller as a lifecycle service: waits for the Lease (when leader election is
/// on), then runs queue workers that reconcile keys, until graceful shutdown (which releases the Lease) or
/// until leadership is lost (the service then throws, so the process exits and restarts as a follower).
public struct ControllerService: Service {
    let queue: WorkQueue
    let reconciler: Reconciler
    let elector: LeaderElector?
    let workers: Int
    let logger: Logger
    /// Called once this replica leads, before the first reconcile (queues every known policy).
    let onStartedLeading: @Sendable () async -> Void

    /// Creates the service.
    public init(queue: WorkQueue, reconciler: Reconciler, elector: LeaderElector?, workers: Int = 2, logger: Logger, onStartedLeading: @escaping @Sendable () async -> Void) {
        self.queue = queue
        self.reconciler = reconciler
        self.elector = elector
        self.workers = workers
        self.logger = logger
        self.onStartedLeading = onStartedLeading
    }

    /// Leadership was lost while acting.
    public struct LostLeadership: Error, CustomStringConvertible {
        public var description: String { "lost the leader Lease; exiting so that this replica restarts as a follower" }
    }

    public func run() async throws {
        let queue = self.queue
        let elector = self.elector
        var failure: (any Error)?
        do {
            try await cancelWhenGracefulShutdown {
                if let elector {
                    try await elector.acquire()
                    self.logger.notice("leading", metadata: ["lease.identity": "\(elector.identity)"])
                }
                await self.onStartedLeading()
                // Workers wait in `queue.next()`, which cancellation does not end: shutting the queue does.
                try await withTaskCancellationHandler {
                  try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<max(1, self.workers) {
                        group.addTask { await self.work() }
                    }
                    if let elector {
                        group.addTask {
                            try await elector.holdLeadership()
                            throw LostLeadership()
                        }
                    }
                    do {
                        try await group.next()
                    } catch {
                        // Lost leadership: the group waits for its workers when it ends, so end them first.
                        await queue.shutDown()
                        throw error
                    }
                    group.cancelAll()
                  }
                } onCancel: {
                    Task { await queue.shutDown() }
                }
            }
        } catch is CancellationError {
            // graceful shutdown
        } catch {
            // Leadership lost, or a shutdown that ended the renewal loop first: the Lease is still given up below
            // if it is ours (release does nothing when another replica holds it).
            failure = error
        }
        await queue.shutDown()
        await elector?.release()
        if let failure { throw failure }
        logger.notice("controller stopped")
    }

    private func work() async {
        while let key = await queue.next() {
            let started = ContinuousClock.now
            do {
                switch try await reconciler.reconcile(key) {
                case .done:
                    await queue.forget(key)
                case .requeue(let seconds):
                    await queue.forget(key)
                    await queue.add(key, after: seconds)
                }
                logger.debug("reconciled", metadata: ["policy": "\(key)", "reconcile.duration": "\(ContinuousClock.now - started)"])
            } catch {
                let delay = await queue.addRateLimited(key, atLeast: (error as? ControllerAPIError)?.retryAfter ?? 0)
                logger.warning("reconcile failed; retrying", metadata: ["policy": "\(key)", "retry.delaySeconds": "\(delay)", "error": "\(error)"])
            }
            await queue.done(key)
        }
    }
}
