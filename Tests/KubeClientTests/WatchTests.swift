import Foundation
import PyBakCore
import Testing

@testable import KubeClient

/// Watch streams against the emulator: from a resource version, 410, bookmarks, timeouts, cancellation.
@Suite struct WatchTests {
    /// Collects events until `count` arrived or the stream ends.
    static func collect<T>(_ stream: AsyncThrowingStream<WatchEvent<T>, Error>, count: Int) async throws -> [WatchEvent<T>] {
        var events: [WatchEvent<T>] = []
        for try await event in stream {
            events.append(event)
            if events.count >= count { break }
        }
        return events
    }

    @Test func watchFromAResourceVersionSeesOnlyLaterChangesInOrder() async throws {
        let (_, api) = try await SharedEmulator.get()
        let label = unique("watch")
        _ = try await api.create(ConfigMap(name: "\(label)-before", labels: ["w": label]))
        let version = try await api.list(ConfigMap.self, options: ListOptions(labelSelector: "w=\(label)")).metadata.resourceVersion
        let stream = api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version, labelSelector: "w=\(label)", timeoutSeconds: 20))
        let created = try await api.create(ConfigMap(name: "\(label)-a", labels: ["w": label]))
        _ = try await api.update(created.with { $0.data = ["k": "v"] })
        try await api.delete(ConfigMap.self, name: "\(label)-a")
        let events = try await Self.collect(stream, count: 3)
        #expect(events.map(\.type) == ["ADDED", "MODIFIED", "DELETED"])
        #expect(events.allSatisfy { $0.object?.metadata.name == "\(label)-a" })
        #expect(events[1].object?.data == ["k": "v"])
    }

    @Test func watchWithoutVersionStartsWithSyntheticAdded() async throws {
        let (_, api) = try await SharedEmulator.get()
        let label = unique("synthetic")
        for index in 0..<3 { _ = try await api.create(ConfigMap(name: "\(label)-\(index)", labels: ["s": label])) }
        let events = try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(labelSelector: "s=\(label)", timeoutSeconds: 10)), count: 3)
        #expect(events.map(\.type) == ["ADDED", "ADDED", "ADDED"])
        #expect(Set(events.compactMap { $0.object?.metadata.name }) == Set((0..<3).map { "\(label)-\($0)" }))
    }

    @Test func timeoutSecondsEndsTheStreamNormally() async throws {
        let (_, api) = try await SharedEmulator.get()
        let started = Date()
        let events = try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(labelSelector: "none=\(unique("x"))", timeoutSeconds: 1)), count: 1)
        let elapsed = Date().timeIntervalSince(started)
        #expect(events.isEmpty)
        #expect(elapsed >= 0.9 && elapsed < 5)
    }

    @Test func clientDeadlineEndsASilentStream() async throws {
        let (_, api) = try await SharedEmulator.get()
        let started = Date()
        let events = try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(labelSelector: "none=\(unique("x"))", timeoutSeconds: 60, deadline: 1)), count: 1)
        let elapsed = Date().timeIntervalSince(started)
        #expect(events.isEmpty)
        #expect(elapsed >= 0.9 && elapsed < 5)
    }

    @Test func cancellingTheConsumerAbortsTheTransfer() async throws {
        let (_, api) = try await SharedEmulator.get()
        let started = Date()
        let task = Task {
            try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(labelSelector: "none=\(unique("x"))", timeoutSeconds: 60)), count: 1)
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let events = try await task.value
        #expect(events.isEmpty)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func watchFromACompactedVersionIsExpired() async throws {
        let emulator = try EmulatorProcess(["--history", "3"])
        defer { emulator.stop() }
        let api = try emulator.client()
        let old = try await api.list(ConfigMap.self).metadata.resourceVersion
        for index in 0..<6 { _ = try await api.create(ConfigMap(name: "h-\(index)")) }
        await #expect {
            _ = try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: old, timeoutSeconds: 10)), count: 1)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .expired && error.httpStatus == 410
        }
    }

    @Test func bookmarksCarryOnlyAResourceVersion() async throws {
        let emulator = try EmulatorProcess(["--bookmark-interval", "0.3"])
        defer { emulator.stop() }
        let api = try emulator.client()
        let version = try await api.list(ConfigMap.self).metadata.resourceVersion
        let events = try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version, timeoutSeconds: 10, allowBookmarks: true)), count: 2)
        #expect(events.count == 2)
        for event in events {
            guard case .bookmark(let bookmarked) = event else {
                Issue.record("expected a bookmark, got \(event.type)")
                continue
            }
            #expect(!bookmarked.isEmpty)
        }
        let none = try await Self.collect(api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version, timeoutSeconds: 1)), count: 1)
        #expect(none.isEmpty)
    }

    @Test func untypedWatchOfACustomResource() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("uw")
        let version = try await api.list(Widget.self).metadata.resourceVersion
        let stream = api.watch(Widget.resourceType, options: WatchOptions(resourceVersion: version, fieldSelector: "metadata.name=\(name)", timeoutSeconds: 10), as: JSONValue.self)
        _ = try await api.create(Widget(name: name, size: 2))
        let events = try await Self.collect(stream, count: 1)
        guard case .added(.object(let fields))? = events.first, case .object(let spec)? = fields["spec"] else {
            Issue.record("unexpected \(events)")
            return
        }
        #expect(spec["size"] == .number(2))
    }
}
