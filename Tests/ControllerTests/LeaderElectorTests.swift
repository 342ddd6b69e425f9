import Foundation
import KubeClient
import KubeModels
import Logging
import Testing

@testable import Controller

/// A Lease server: resourceVersions and 409 on stale updates, like the API server.
actor InMemoryLeases: LeaseStore {
    var lease: Lease?
    var version = 1
    var down = false

    func get(namespace: String, name: String) async throws -> Lease? {
        if down { throw ControllerAPIError(.unavailable, code: 503, "down") }
        return lease
    }

    func create(_ lease: Lease) async throws -> Lease {
        if down { throw ControllerAPIError(.unavailable, code: 503, "down") }
        guard self.lease == nil else { throw ControllerAPIError(.alreadyExists, code: 409, "exists") }
        var stored = lease
        version += 1
        stored.metadata.resourceVersion = "\(version)"
        self.lease = stored
        return stored
    }

    func update(_ lease: Lease) async throws -> Lease {
        if down { throw ControllerAPIError(.unavailable, code: 503, "down") }
        guard self.lease?.metadata.resourceVersion == lease.metadata.resourceVersion else { throw ControllerAPIError(.conflict, code: 409, "stale") }
        var stored = lease
        version += 1
        stored.metadata.resourceVersion = "\(version)"
        self.lease = stored
        return stored
    }

    func setDown(_ value: Bool) { down = value }

    /// As if an update reached the server but its answer was lost.
    func bumpVersion() {
        version += 1
        lease?.metadata.resourceVersion = "\(version)"
    }
}

@Suite struct LeaderElectorTests {
    static func elector(_ store: InMemoryLeases, _ id: String, _ clock: ManualClock) -> LeaderElector {
        LeaderElector(store: store, namespace: "pybak-system", name: "pybak-controller", identity: id, clock: clock, logger: Logger(label: "t"))
    }

    @Test func firstReplicaCreatesTheLeaseSecondWaits() async throws {
        let store = InMemoryLeases()
        let clock = ManualClock()
        let a = Self.elector(store, "a", clock)
        let b = Self.elector(store, "b", clock)
        #expect(await a.tryAcquireOrRenew())
        #expect(await !b.tryAcquireOrRenew())
        let spec = try #require(await store.lease?.spec)
        #expect(spec.holderIdentity == "a")
        #expect(spec.leaseDurationSeconds == 15)
        #expect(spec.leaseTransitions == 0)
        #expect(spec.renewTime?.hasSuffix("Z") == true && spec.renewTime?.contains(".") == true)
        #expect(await a.isLeader)
    }

    @Test func renewalKeepsTheOtherOutAndExpiryLetsItTakeOver() async throws {
        let store = InMemoryLeases()
        let clock = ManualClock()
        let a = Self.elector(store, "a", clock)
        let b = Self.elector(store, "b", clock)
        #expect(await a.tryAcquireOrRenew())
        for _ in 0..<10 {
            clock.advance(2)
            #expect(await a.tryAcquireOrRenew())
            #expect(await !b.tryAcquireOrRenew())
        }
        // a dies: b takes over once it has seen no change for the lease duration.
        clock.advance(14)
        #expect(await !b.tryAcquireOrRenew())
        clock.advance(2)
        #expect(await b.tryAcquireOrRenew())
        let spec = try #require(await store.lease?.spec)
        #expect(spec.holderIdentity == "b")
        #expect(spec.leaseTransitions == 1)
        // a comes back: its renewal is refused (b holds a fresh lease).
        #expect(await !a.tryAcquireOrRenew())
    }

    @Test func releaseLetsAnotherTakeOverAtOnce() async throws {
        let store = InMemoryLeases()
        let clock = ManualClock()
        let a = Self.elector(store, "a", clock)
        let b = Self.elector(store, "b", clock)
        #expect(await a.tryAcquireOrRenew())
        #expect(await !b.tryAcquireOrRenew())
        await a.release()
        #expect(await store.lease?.spec?.holderIdentity == nil)
        #expect(await !a.isLeader)
        #expect(await b.tryAcquireOrRenew())
    }

    @Test func releaseReadsTheLeaseAgainWhenARenewalCutShortReachedTheServer() async throws {
        let store = InMemoryLeases()
        let clock = ManualClock()
        let a = Self.elector(store, "a", clock)
        #expect(await a.tryAcquireOrRenew())
        // The server applied a renewal whose answer never arrived: the elector's copy is one version behind.
        await store.bumpVersion()
        await a.release()
        #expect(await store.lease?.spec?.holderIdentity == nil)
        #expect(await store.lease?.spec?.leaseDurationSeconds == 1)
    }

    @Test func leadershipIsLostAfterTheRenewDeadline() async throws {
        let store = InMemoryLeases()
        let clock = ManualClock()
        let a = Self.elector(store, "a", clock)
        #expect(await a.tryAcquireOrRenew())
        await store.setDown(true)
        let finished = Flag()
        let holding = Task {
            try await a.holdLeadership()
            await finished.set()
        }
        var rounds = 0
        while await !finished.value, rounds < 20 {
            if clock.sleeperCount > 0 {
                clock.advance(2)
                rounds += 1
            }
            await Task.yield()
        }
        holding.cancel()
        #expect(await finished.value)  // returned: leadership lost
        #expect(rounds >= 5 && rounds <= 7)  // after the 10 s renew deadline, in 2 s steps
        #expect(await !a.isLeader)
    }

    @Test func aStaleWriteLosesTheRace() async throws {
        let store = InMemoryLeases()
        let clock = ManualClock()
        let a = Self.elector(store, "a", clock)
        #expect(await a.tryAcquireOrRenew())
        await a.release()
        // Both see the free lease; only one update can win.
        let b = Self.elector(store, "b", clock)
        let c = Self.elector(store, "c", clock)
        async let wonB = b.tryAcquireOrRenew()
        async let wonC = c.tryAcquireOrRenew()
        let results = await [wonB, wonC]
        #expect(results.filter { $0 }.count == 1)
    }
}

actor Flag {
    var value = false
    func set() { value = true }
}
