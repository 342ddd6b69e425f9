import Foundation
import PyBakCore
import Testing
import Transport

@testable import KubeClient

/// Each emulator fault switch against the client; every test has an emulator of its own (faults are global).
@Suite(.serialized) struct FaultTests {
    @Test(arguments: [500, 503])
    func serverErrorsAreRetriedForReadsAndSurfacedForWrites(status: Int) async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        _ = try await api.create(ConfigMap(name: "x"))
        try emulator.admin("faults", #"{"error": {"status": \#(status), "count": 2, "method": "GET", "path": "configmaps"}}"#)
        #expect(try await api.get(ConfigMap.self, name: "x").metadata.name == "x")
        try emulator.admin("faults", #"{"error": {"status": \#(status), "count": 1, "method": "POST", "path": "configmaps"}}"#)
        await #expect {
            _ = try await api.create(ConfigMap(name: "y"))
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .serverError && error.httpStatus == status && error.isRetryable
        }
        #expect(try await api.create(ConfigMap(name: "y")).metadata.name == "y")
        try emulator.admin("faults", #"{"error": {"status": \#(status), "count": -1, "method": "GET", "path": "configmaps"}}"#)
        await #expect { _ = try await api.get(ConfigMap.self, name: "x") } throws: { ($0 as? KubeError)?.httpStatus == status }
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        _ = try await api.create(ConfigMap(name: "x"))
        try emulator.admin("faults", #"{"error": {"status": 429, "retryAfter": 1, "count": 1, "method": "GET", "path": "configmaps"}}"#)
        let started = Date()
        #expect(try await api.get(ConfigMap.self, name: "x").metadata.name == "x")
        #expect(Date().timeIntervalSince(started) >= 0.95)
        try emulator.admin("faults", #"{"error": {"status": 429, "retryAfter": 2, "count": 1, "method": "PUT"}}"#)
        await #expect {
            _ = try await api.update(ConfigMap(name: "x"))
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .tooManyRequests && error.retryAfter == 2
        }
    }

    @Test func delaysAndTheRequestTimeout() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let config = try Kubeconfig.load(environment: ["KUBECONFIG": emulator.kubeconfig])
        let patient = try emulator.client()
        try emulator.admin("faults", #"{"delay": {"seconds": 0.6, "count": 1, "path": "configmaps"}}"#)
        let started = Date()
        _ = try await patient.list(ConfigMap.self)
        #expect(Date().timeIntervalSince(started) >= 0.55)
        let hasty = KubeAPI(config: config, readRetry: .none, requestTimeout: 0.3)
        try emulator.admin("faults", #"{"delay": {"seconds": 1.5, "count": 1, "path": "configmaps"}}"#)
        await #expect {
            _ = try await hasty.list(ConfigMap.self)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .transport && error.transport?.kind == .timeout
        }
    }

    @Test func droppedWatchIsATransportErrorAndResumesFromTheLastVersion() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        let version = try await api.list(ConfigMap.self).metadata.resourceVersion
        try emulator.admin("faults", #"{"dropWatch": {"afterEvents": 1, "count": 1}}"#)
        let stream = api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version, timeoutSeconds: 10))
        _ = try await api.create(ConfigMap(name: "a"))
        _ = try await api.create(ConfigMap(name: "b"))
        var seen: [String] = []
        var lastVersion = version
        await #expect {
            for try await event in stream {
                seen.append(event.object?.metadata.name ?? "")
                lastVersion = event.object?.metadata.resourceVersion
            }
        } throws: { ($0 as? KubeError)?.code == .transport }
        #expect(seen == ["a"])
        let resumed = try await WatchTests.collect(api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: lastVersion, timeoutSeconds: 10)), count: 1)
        #expect(resumed.map { $0.object?.metadata.name } == ["b"])
    }

    @Test func expireSendsA410ErrorEventToOpenWatches() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        let version = try await api.list(ConfigMap.self).metadata.resourceVersion
        let stream = api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version, timeoutSeconds: 10))
        let consumer = Task { try await WatchTests.collect(stream, count: 1) }
        try await Task.sleep(for: .milliseconds(300))
        try emulator.admin("faults", #"{"expire": true}"#)
        await #expect { _ = try await consumer.value } throws: { ($0 as? KubeError)?.code == .expired }
        await #expect {
            _ = try await WatchTests.collect(api.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version, timeoutSeconds: 10)), count: 1)
        } throws: { ($0 as? KubeError)?.code == .expired }
    }

    @Test func loseLeaseMakesTheOldHolderConflict() async throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let api = try emulator.client()
        let now = "2026-01-01T00:00:00.000000Z"
        let mine = try await api.create(Lease(metadata: ObjectMeta(name: "leader"), spec: Lease.Spec(holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0)))
        try emulator.admin("faults", #"{"loseLease": {"namespace": "default", "name": "leader", "holder": "thief"}}"#)
        var renewal = mine
        renewal.spec.renewTime = "2026-01-01T00:00:02.000000Z"
        await #expect { _ = try await api.update(renewal) } throws: { ($0 as? KubeError)?.code == .conflict }
        #expect(try await api.get(Lease.self, name: "leader").spec.holderIdentity == "thief")
    }

    @Test func tokensOverTLSRejectionAndRecovery() async throws {
        let emulator = try EmulatorProcess(["--tls", "--token", "good-token"])
        defer { emulator.stop() }
        #expect(emulator.url.hasPrefix("https://"))
        let config = try Kubeconfig.load(environment: ["KUBECONFIG": emulator.kubeconfig])
        #expect(config.transport.caPEM != nil)
        let api = KubeAPI(config: config, readRetry: .none)
        _ = try await api.create(ConfigMap(name: "x"))

        var wrong = config
        wrong.token = TokenSource(token: "bad-token")
        await #expect { _ = try await KubeAPI(config: wrong).get(ConfigMap.self, name: "x") } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .unauthorized && error.httpStatus == 401 && error.description.contains("not accepted: the bearer token of kubeconfig")
        }
        var anonymous = config
        anonymous.token = nil
        await #expect { _ = try await KubeAPI(config: anonymous).get(ConfigMap.self, name: "x") } throws: { ($0 as? KubeError)?.code == .unauthorized }

        try emulator.admin("faults", #"{"rejectToken": "good-token"}"#)
        await #expect { _ = try await api.get(ConfigMap.self, name: "x") } throws: { ($0 as? KubeError)?.code == .unauthorized }
        try emulator.admin("faults", #"{"acceptToken": "good-token"}"#)
        #expect(try await api.get(ConfigMap.self, name: "x").metadata.name == "x")

        var untrusted = config
        untrusted.transport.caPEM = nil
        await #expect { _ = try await KubeAPI(config: untrusted, readRetry: .none).get(ConfigMap.self, name: "x") } throws: { error in
            (error as? KubeError)?.transport?.kind == .tls
        }
        var insecure = untrusted
        insecure.transport.insecureSkipVerify = true
        #expect(try await KubeAPI(config: insecure).get(ConfigMap.self, name: "x").metadata.name == "x")
    }

    @Test func forbiddenForARestrictedIdentity() async throws {
        let emulator = try EmulatorProcess(["--tls", "--token", "admin-token"])
        defer { emulator.stop() }
        try emulator.admin("tokens", #"{"token": "reader", "user": "reader", "rules": [{"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["configmaps"]}]}"#)
        var config = try Kubeconfig.load(environment: ["KUBECONFIG": emulator.kubeconfig])
        config.token = TokenSource(token: "reader")
        let reader = KubeAPI(config: config)
        #expect(try await reader.list(ConfigMap.self).items.isEmpty)
        await #expect { _ = try await reader.create(ConfigMap(name: "nope")) } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .forbidden && error.message.contains("reader")
        }
    }
}
