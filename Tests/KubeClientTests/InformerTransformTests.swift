import Foundation
import Synchronization
import Testing

@testable import KubeClient

/// An informer's transform: what the cache keeps and the handler sees, against the emulator.
@Suite(.serialized) struct InformerTransformTests {
    @Test func strippingManagedFieldsKeepsThemOutOfTheCacheAndOffTheServerUntouched() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        _ = try await api.create(ConfigMap(name: "listed"))
        let seen = Mutex<[Bool]>([])
        let informer = Informer<ConfigMap>(api: api, settings: InformerTests.fast, transform: .strippingManagedFields) { event in
            seen.withLock { $0.append(event.object.metadata.managedFields == nil) }
        }
        let running = Task { try await informer.run() }
        defer { running.cancel() }
        try await waitUntil { await informer.cache.count == 1 }
        let watched = try await api.create(ConfigMap(name: "watched"))
        #expect(watched.metadata.managedFields != nil)  // the server keeps them
        try await waitUntil { await informer.cache.count == 2 }
        for name in ["listed", "watched"] {
            let cached = try #require(await informer.cache.get(namespace: "default", name: name))
            #expect(cached.metadata.managedFields == nil)
            #expect(cached.metadata.uid != nil && cached.metadata.resourceVersion != nil)
        }
        #expect(seen.withLock { $0 } == [true, true])
        // An update made from the stripped copy leaves the server's managedFields as they were.
        let cached = try #require(await informer.cache.get(namespace: "default", name: "watched"))
        let updated = try await api.update(cached.with { $0.data = ["k": "v"] })
        #expect(updated.data == ["k": "v"])
        #expect(updated.metadata.managedFields != nil)
        try await waitUntil { await informer.cache.get(namespace: "default", name: "watched")?.data == ["k": "v"] }
        #expect(await informer.cache.get(namespace: "default", name: "watched")?.metadata.managedFields == nil)
    }
}
