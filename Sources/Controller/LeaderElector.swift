import Foundation
import KubeClient
import KubeModels
import Logging

/// Leader election on a `coordination.k8s.io/v1` Lease (client-go's algorithm): a replica takes the Lease
/// when it is free or its holder has not renewed it for `leaseDuration` (timed by this replica's own
/// clock since it last saw the record change, so clock skew between nodes does not matter), renews it
/// every `retryPeriod`, gives up leading when it could not renew for `renewDeadline`, and releases it on
/// shutdown so another replica takes over at once.
public actor LeaderElector {
    /// Timings in seconds.
    public struct Timing: Sendable {
        public var leaseDuration: Double
        public var renewDeadline: Double
        public var retryPeriod: Double

        /// client-go's defaults: 15 s, 10 s, 2 s.
        public init(leaseDuration: Double = 15, renewDeadline: Double = 10, retryPeriod: Double = 2) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    let store: any LeaseStore
    let namespace: String
    let name: String
    /// This replica's identity (the Pod name).
    public let identity: String
    let timing: Timing
    let clock: any ControllerClock
    let logger: Logger

    private var observed: LeaseSpec?
    private var observedAt: Double = 0
    private var lastRenewal: Double?
    private var latest: Lease?

    /// Creates an elector.
    public init(store: any LeaseStore, namespace: String, name: String, identity: String, timing: Timing = Timing(), clock: any ControllerClock = SystemClock(), logger: Logger) {
        self.store = store
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.timing = timing
        self.clock = clock
        self.logger = logger
    }

    /// Whether this replica renewed the Lease within the renew deadline.
    public var isLeader: Bool {
        guard let lastRenewal else { return false }
        return clock.now() - lastRenewal < timing.renewDeadline
    }

    /// One attempt to take or renew the Lease.
    /// - Returns: true when this replica holds it now.
    public func tryAcquireOrRenew() async -> Bool {
        let now = clock.now()
        let wall = KubeTime.micro(clock.date())
        do {
            guard var lease = try await store.get(namespace: namespace, name: name) else {
                let spec = LeaseSpec(holderIdentity: identity, leaseDurationSeconds: Int(timing.leaseDuration), acquireTime: wall, renewTime: wall, leaseTransitions: 0)
                latest = try await store.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
                return won(now, spec)
            }
            let spec = lease.spec ?? LeaseSpec()
            if spec != observed {
                observed = spec
                observedAt = now
            }
            let holder = spec.holderIdentity ?? ""
            let duration = Double(spec.leaseDurationSeconds ?? Int(timing.leaseDuration))
            if !holder.isEmpty && holder != identity && observedAt + duration > now {
                lastRenewal = nil
                return false
            }
            var next = spec
            if holder != identity {
                next.acquireTime = wall
                next.leaseTransitions = (spec.leaseTransitions ?? 0) + (holder.isEmpty && spec.leaseTransitions == nil ? 0 : 1)
                logger.notice("taking the lease", metadata: ["lease": "\(namespace)/\(name)", "lease.previousHolder": "\(holder)", "lease.identity": "\(identity)"])
            }
            next.holderIdentity = identity
            next.leaseDurationSeconds = Int(timing.leaseDuration)
            next.renewTime = wall
            lease.spec = next
            latest = try await store.update(lease)
            return won(now, next)
        } catch {
            logger.info("lease not acquired", metadata: ["lease": "\(namespace)/\(name)", "reason": "\(error)"])
            return false
        }
    }

    private func won(_ now: Double, _ spec: LeaseSpec) -> Bool {
        observed = spec
        observedAt = now
        lastRenewal = now
        return true
    }

    /// Waits until this replica holds the Lease (tries every retry period).
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func acquire() async throws {
        while true {
            try Task.checkCancellation()
            if await tryAcquireOrRenew() { return }
            try await clock.sleep(seconds: timing.retryPeriod)
        }
    }

    /// Renews the Lease every retry period; returns when renewing failed for the renew deadline (leadership lost).
    /// - Throws: `CancellationError` when cancelled while still leading.
    public func holdLeadership() async throws {
        while true {
            try await clock.sleep(seconds: timing.retryPeriod)
            if await tryAcquireOrRenew() { continue }
            if !isLeader {
                logger.error("lost the lease", metadata: ["lease": "\(namespace)/\(name)", "lease.identity": "\(identity)"])
                return
            }
        }
    }

    /// Gives the Lease up (holder cleared, duration 1 s) so another replica takes over at once.
    public func release() async {
        guard lastRenewal != nil, var lease = latest, lease.spec?.holderIdentity == identity else { return }
        for attempt in 1...2 {
            let wall = KubeTime.micro(clock.date())
            lease.spec?.holderIdentity = nil
            lease.spec?.leaseDurationSeconds = 1
            lease.spec?.renewTime = wall
            lease.spec?.acquireTime = wall
            do {
                latest = try await store.update(lease)
                lastRenewal = nil
                logger.notice("released the lease", metadata: ["lease": "\(namespace)/\(name)", "lease.identity": "\(identity)"])
                return
            } catch {
                // A renewal cut short by the shutdown may have reached the server after all, leaving our copy one
                // version behind: read the Lease again once, and give it up if it is still ours.
                if attempt == 1, let current = try? await store.get(namespace: namespace, name: name), current.spec?.holderIdentity == identity {
                    lease = current
                    continue
                }
                logger.warning("cannot release the lease; it expires by itself", metadata: ["lease": "\(namespace)/\(name)", "reason": "\(error)"])
                return
            }
        }
    }
}
