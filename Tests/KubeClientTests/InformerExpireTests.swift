import Foundation
import PyBakCore
import Testing

@testable import KubeClient

/// The emulator's `expire` switch (the whole history compacted: open watches get ERROR 410, old versions 410)
/// against an informer whose backoff has grown: it relists once, resumes watching from the new list's version,
/// hands over every change made before and after the compaction exactly once, and starts its backoff afresh;
/// compactions again and again (every list's watch expires at once) slow its relists down.
@Suite(.serialized) struct InformerExpireTests {
    /// Backoff of 1 s doubling: after four failures in a row the next wait is 4-8 s, after a single one 0.5-1 s.
    static let settings = InformerSettings(watchTimeoutSeconds: 30, pageSize: 100, backoffBase: 1, backoffCap: 30, minimumHealthyWatch: 5)

    @Test func expireRelistsOnceSeesEveryChangeAndRestartsTheBackoff() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        let kept = try await api.create(ConfigMap(name: "kept"))
        _ = try await api.create(ConfigMap(name: "goes"))
        let log = EventLog()
        let informer = Informer<ConfigMap>(api: api, settings: Self.settings) { log.record($0) }
        let running = Task { try await informer.run() }
        defer { running.cancel() }
        try await waitUntil { await informer.cache.count == 2 }

        // Three failures in a row (the open watch cut, then two more cut before any event), a change meanwhile,
        // then a watch that works and delivers it and the next one.
        try emulator.admin("faults", #"{"dropWatch": {"afterEvents": 0, "count": 2}, "dropOpenWatches": true}"#)
        let changed = try await api.update(kept.with { $0.data = ["during": "drops"] })
        try await waitUntil(15) { await informer.cache.get(namespace: "default", name: "kept")?.data == ["during": "drops"] }
        let live = try await api.create(ConfigMap(name: "live"))
        try await waitUntil { await informer.cache.get(namespace: "default", name: "live") != nil }

        // Changes just before and right after the compaction.
        try emulator.admin("requests", "", method: "DELETE")
        _ = try await api.update(live.with { $0.data = ["before": "expire"] })
        try await api.delete(ConfigMap.self, name: "goes")
        let expired = Date()
        try emulator.admin("faults", #"{"expire": true}"#)
        _ = try await api.create(ConfigMap(name: "after"))
        _ = try await api.update(changed.with { $0.data = ["after": "expire"] })
        try await waitUntil(10) {
            let names = await informer.cache.list().compactMap(\.metadata.name)
            let keptData = await informer.cache.get(namespace: "default", name: "kept")?.data
            let liveData = await informer.cache.get(namespace: "default", name: "live")?.data
            return names == ["after", "kept", "live"] && keptData == ["after": "expire"] && liveData == ["before": "expire"]
        }
        // The failures before the healthy watch do not count: relisted after 0.5-1 s, not 4-8 s.
        let caughtUp = Date().timeIntervalSince(expired)
        #expect(caughtUp < 3, "caught up \(caughtUp) s after the expire")

        // Watching again from the new list's version.
        _ = try await api.create(ConfigMap(name: "later"))
        try await waitUntil { await informer.cache.get(namespace: "default", name: "later") != nil }
        try await Task.sleep(for: .seconds(1.5))
        let reads = try Self.configMapReads(emulator)
        #expect(reads.lists == 1 && reads.watches == 1, "after the expire: \(reads.lists) lists, \(reads.watches) watches")
        let expected = [
            "added kept", "added goes", "updated kept", "added live", "updated live", "deleted goes", "added after", "updated kept",
            "added later",
        ]
        #expect(log.all.sorted() == expected.sorted(), "\(log.all)")
    }

    @Test func historyCompactedAgainAndAgainSlowsTheRelistsDown() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        _ = try await api.create(ConfigMap(name: "only"))
        let settings = InformerSettings(watchTimeoutSeconds: 30, pageSize: 100, backoffBase: 0.2, backoffCap: 1.6, minimumHealthyWatch: 5)
        let informer = Informer<ConfigMap>(api: api, settings: settings)
        let running = Task { try await informer.run() }
        defer { running.cancel() }
        try await waitUntil { await informer.cache.hasSynced }
        // Every 50 ms the whole history is compacted: each list's watch gets 410 at once.
        try emulator.admin("requests", "", method: "DELETE")
        let compacting = Task.detached {
            let end = Date().addingTimeInterval(4)
            while Date() < end {
                try emulator.admin("faults", #"{"expire": true}"#)
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await compacting.value
        let reads = try Self.configMapReads(emulator)
        // 0.2 s doubling to 1.6 s (x0.5-1.0): 4-8 lists in 4 s; relisting at the base delay would make 20 or more.
        #expect(reads.lists >= 3 && reads.lists <= 10, "lists in 4 s of compactions: \(reads.lists)")
        // Once the compactions stop, one more list and a watch that works.
        _ = try await api.create(ConfigMap(name: "afterwards"))
        try await waitUntil(5) { await informer.cache.get(namespace: "default", name: "afterwards") != nil }
    }

    /// The ConfigMap lists and watches the emulator counted since its counters were last cleared.
    static func configMapReads(_ emulator: EmulatorProcess) throws -> (lists: Int, watches: Int) {
        guard case .object(let counted) = try emulator.admin("requests", "", method: "GET"), case .array(let rows)? = counted["requests"] else {
            Issue.record("unexpected request counters")
            return (0, 0)
        }
        var lists = 0
        var watches = 0
        for case .object(let row) in rows {
            guard row["method"] == .string("GET"), case .string(let path)? = row["path"], path.hasSuffix("/configmaps"),
                case .number(let count)? = row["count"]
            else { continue }
            if row["watch"] == .bool(true) { watches += Int(count) } else { lists += Int(count) }
        }
        return (lists, watches)
    }
}
