import Foundation
import Logging
import PyBakCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import KubeClient

/// Records what an informer handed to its handler.
final class EventLog: Sendable {
    private let entries = Mutex<[String]>([])
    func record(_ event: InformerEvent<ConfigMap>) {
        let name = event.object.metadata.name ?? "?"
        let text: String
        switch event {
        case .added: text = "added \(name)"
        case .updated: text = "updated \(name)"
        case .deleted: text = "deleted \(name)"
        }
        entries.withLock { $0.append(text) }
    }
    var all: [String] { entries.withLock { $0 } }
}

@Suite(.serialized) struct InformerTests {
    static let fast = InformerSettings(watchTimeoutSeconds: 30, pageSize: 2, backoffBase: 0.1, backoffCap: 0.4, minimumHealthyWatch: 1)

    @Test func listsThenFollowsChangesIntoItsCacheAndStopsOnCancel() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        for index in 0..<3 { _ = try await api.create(ConfigMap(name: "pre-\(index)")) }
        let log = EventLog()
        let informer = Informer<ConfigMap>(api: api, settings: Self.fast) { log.record($0) }
        let running = Task { try await informer.run() }
        try await waitUntil { let synced = await informer.cache.hasSynced; let count = await informer.cache.count; return synced && count == 3 }
        let created = try await api.create(ConfigMap(name: "live"))
        _ = try await api.update(created.with { $0.data = ["k": "v"] })
        try await api.delete(ConfigMap.self, name: "pre-0")
        try await waitUntil { log.all.count == 6 }
        #expect(log.all == ["added pre-0", "added pre-1", "added pre-2", "added live", "updated live", "deleted pre-0"])
        #expect(await informer.cache.get(namespace: "default", name: "live")?.data == ["k": "v"])
        #expect(await informer.cache.get(namespace: "default", name: "pre-0") == nil)
        let stopping = Date()
        running.cancel()
        try await running.value
        #expect(Date().timeIntervalSince(stopping) < 3)
    }

    @Test func relistsAfter410AndReportsWhatChangedMeanwhile() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        _ = try await api.create(ConfigMap(name: "stays"))
        _ = try await api.create(ConfigMap(name: "goes"))
        let log = EventLog()
        let informer = Informer<ConfigMap>(api: api, settings: Self.fast) { log.record($0) }
        let running = Task { try await informer.run() }
        defer { running.cancel() }
        try await waitUntil { await informer.cache.count == 2 }
        // Changes made while the watch is cut and history compacted are only visible to a relist.
        try emulator.admin("faults", #"{"dropWatch": {"afterEvents": 0, "count": 5}}"#)
        try emulator.admin("faults", #"{"dropOpenWatches": true}"#)
        try await api.delete(ConfigMap.self, name: "goes")
        _ = try await api.create(ConfigMap(name: "new"))
        try emulator.admin("faults", #"{"expire": true}"#)
        try emulator.admin("faults", "", method: "DELETE")
        try await waitUntil(10) { await informer.cache.list().compactMap(\.metadata.name) == ["new", "stays"] }
        #expect(log.all.contains("deleted goes") && log.all.contains("added new"))
        _ = try await api.create(ConfigMap(name: "after"))
        try await waitUntil { await informer.cache.get(namespace: "default", name: "after") != nil }
    }

    @Test func resumesADroppedWatchWithoutRelisting() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        let log = EventLog()
        let informer = Informer<ConfigMap>(api: api, settings: Self.fast) { log.record($0) }
        let running = Task { try await informer.run() }
        defer { running.cancel() }
        try await waitUntil { await informer.cache.hasSynced }
        try emulator.admin("faults", #"{"dropWatch": {"afterEvents": 1, "count": 3}}"#)
        try emulator.admin("faults", #"{"dropOpenWatches": true}"#)
        for index in 0..<4 { _ = try await api.create(ConfigMap(name: "c-\(index)")) }
        try await waitUntil(10) { await informer.cache.count == 4 }
        // Every object exactly once: resuming from the last version neither loses nor repeats events.
        #expect(log.all.sorted() == (0..<4).map { "added c-\($0)" })
    }

    @Test func backsOffWhenEveryWatchFails() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        try emulator.admin("faults", #"{"dropWatch": {"afterEvents": 0, "count": 1000}}"#)
        let informer = Informer<ConfigMap>(api: api, settings: Self.fast)
        let running = Task { try await informer.run() }
        try await Task.sleep(for: .seconds(3))
        running.cancel()
        try await running.value
        let faults = try emulator.admin("faults", "", method: "GET")
        guard case .object(let fields) = faults, case .array(let drops)? = fields["watchDrops"], case .object(let rule)? = drops.first,
            case .number(let left)? = rule["count"]
        else {
            Issue.record("unexpected faults document \(faults)")
            return
        }
        let watches = 1000 - Int(left)
        // 0.1 s doubling to a 0.4 s cap (jitter 50-100 %) over 3 s: roughly 8-14 attempts; a hot loop makes hundreds.
        #expect(watches >= 4 && watches <= 25, "watch attempts in 3 s: \(watches)")
    }

    @Test func runsInAServiceGroupAndStopsOnGracefulShutdown() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        _ = try await api.create(ConfigMap(name: "in-group"))
        let informer = Informer<ConfigMap>(api: api, settings: Self.fast)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [informer], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        try await waitUntil { await informer.cache.get(namespace: "default", name: "in-group") != nil }
        let stopping = Date()
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(Date().timeIntervalSince(stopping) < 3)
    }

    @Test func backoffDelaysAreCappedAndJittered() {
        let settings = InformerSettings(backoffBase: 0.5, backoffCap: 30)
        #expect(settings.delay(afterFailures: 1, retryAfter: nil, random: 0) == 0.25)
        #expect(settings.delay(afterFailures: 1, retryAfter: nil, random: 0.999) < 0.5)
        #expect(settings.delay(afterFailures: 4, retryAfter: nil, random: 0) == 2)
        #expect(settings.delay(afterFailures: 40, retryAfter: nil, random: 0.999) <= 30)
        #expect(settings.delay(afterFailures: 40, retryAfter: nil, random: 0) == 15)
        #expect(settings.delay(afterFailures: 1, retryAfter: 7, random: 0.5) == 7)
    }
}
