import Foundation
import PyBakCore
import Testing

@testable import KubeClient

/// The REST verbs against the Python emulator (Tests/KubeEmulator).
@Suite struct KubeAPITests {
    @Test func configMapCreateGetUpdateDelete() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("cm")
        let created = try await api.create(ConfigMap(name: name, data: ["a": "1"]))
        #expect(created.metadata.namespace == "default")
        #expect(created.metadata.uid != nil && created.metadata.creationTimestamp != nil)
        var fetched = try await api.get(ConfigMap.self, name: name)
        #expect(fetched == created)
        fetched.data = ["a": "2"]
        let updated = try await api.update(fetched)
        #expect(updated.data == ["a": "2"])
        #expect(updated.metadata.resourceVersion != created.metadata.resourceVersion)
        try await api.delete(ConfigMap.self, name: name)
        await #expect { try await api.get(ConfigMap.self, name: name) } throws: { ($0 as? KubeError)?.code == .notFound }
    }

    @Test func staleUpdateIsConflictAndUpdateWithoutVersionIsUnconditional() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("cm")
        let first = try await api.create(ConfigMap(name: name, data: ["v": "1"]))
        var newer = first
        newer.data = ["v": "2"]
        _ = try await api.update(newer)
        var stale = first
        stale.data = ["v": "stale"]
        await #expect {
            _ = try await api.update(stale)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .conflict && error.httpStatus == 409 && error.reason == "Conflict" && !error.message.isEmpty
        }
        stale.metadata.resourceVersion = nil
        #expect(try await api.update(stale).data == ["v": "stale"])
    }

    @Test func alreadyExistsAndNotFoundCarryTheServerMessage() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("cm")
        _ = try await api.create(ConfigMap(name: name))
        await #expect {
            _ = try await api.create(ConfigMap(name: name))
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.code == .alreadyExists && error.message.contains(name) && error.status?.details?.name == name
        }
        await #expect {
            try await api.delete(ConfigMap.self, name: name + "-missing")
        } throws: { ($0 as? KubeError)?.code == .notFound && ($0 as? KubeError)?.message.contains("not found") == true }
        let generated = try await api.create(ConfigMap(name: "", namespace: nil).with { $0.metadata.name = nil; $0.metadata.generateName = "gen-" })
        #expect(generated.metadata.name?.hasPrefix("gen-") == true && generated.metadata.name != "gen-")
    }

    @Test func customResourceCRUDStatusAndValidation() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("w")
        let created = try await api.create(Widget(name: name, size: 3))
        #expect(created.spec.color == "red")  // the schema default
        #expect(created.metadata.generation == 1)

        var withStatus = created
        withStatus.status = Widget.Status(phase: "Ready")
        withStatus.spec.size = 9
        let statusOnly = try await api.updateStatus(withStatus)
        #expect(statusOnly.status?.phase == "Ready")
        #expect(statusOnly.spec.size == 3)  // /status ignores everything but status
        #expect(statusOnly.metadata.generation == 1)

        var specChange = statusOnly
        specChange.spec.size = 4
        specChange.status = Widget.Status(phase: "Ignored")
        let updated = try await api.update(specChange)
        #expect(updated.spec.size == 4 && updated.status?.phase == "Ready")
        #expect(updated.metadata.generation == 2)

        await #expect {
            _ = try await api.create(Widget(name: unique("bad"), size: 11, color: "green"))
        } throws: { error in
            guard let error = error as? KubeError, error.code == .invalid, error.httpStatus == 422 else { return false }
            let fields = Set(error.causes.compactMap(\.field))
            return fields.contains("spec.size") && fields.contains("spec.color")
        }
        await #expect {
            _ = try await api.create(Widget(name: unique("bad"), size: nil))
        } throws: { ($0 as? KubeError)?.causes.contains { $0.field == "spec.size" && $0.reason == "FieldValueRequired" } == true }
        try await api.delete(Widget.self, name: name)
    }

    @Test func paginationFollowsContinueTokens() async throws {
        let (_, api) = try await SharedEmulator.get()
        let label = unique("page")
        for index in 0..<7 { _ = try await api.create(ConfigMap(name: "\(label)-\(index)", labels: ["set": label])) }
        let first = try await api.list(ConfigMap.self, options: ListOptions(labelSelector: "set=\(label)", limit: 3))
        #expect(first.items.count == 3)
        #expect(first.metadata.continue?.isEmpty == false)
        let all = try await api.listAll(ConfigMap.self, options: ListOptions(labelSelector: "set=\(label)", limit: 3))
        #expect(all.items.compactMap(\.metadata.name).sorted() == (0..<7).map { "\(label)-\($0)" })
        #expect(all.metadata.resourceVersion?.isEmpty == false && all.metadata.continue == nil)
    }

    @Test func labelAndFieldSelectors() async throws {
        let (_, api) = try await SharedEmulator.get()
        let run = unique("sel")
        _ = try await api.create(ConfigMap(name: "\(run)-a", labels: ["run": run, "tier": "web", "env": "prod"]))
        _ = try await api.create(ConfigMap(name: "\(run)-b", labels: ["run": run, "tier": "db", "env": "dev"]))
        _ = try await api.create(ConfigMap(name: "\(run)-c", labels: ["run": run, "tier": "web"]))
        func names(_ selector: String, field: String? = nil) async throws -> [String] {
            try await api.list(ConfigMap.self, options: ListOptions(labelSelector: selector, fieldSelector: field)).items.compactMap(\.metadata.name).sorted()
        }
        #expect(try await names("run=\(run),tier=web") == ["\(run)-a", "\(run)-c"])
        #expect(try await names("run=\(run),tier!=web") == ["\(run)-b"])
        #expect(try await names("run=\(run),env in (prod,dev)") == ["\(run)-a", "\(run)-b"])
        #expect(try await names("run=\(run),env notin (prod)") == ["\(run)-b", "\(run)-c"])
        #expect(try await names("run=\(run),!env") == ["\(run)-c"])
        #expect(try await names("run=\(run),env") == ["\(run)-a", "\(run)-b"])
        #expect(try await names("run=\(run)", field: "metadata.name=\(run)-b") == ["\(run)-b"])
        await #expect { _ = try await names("run=\(run)", field: "spec.nonsense=1") } throws: { ($0 as? KubeError)?.code == .badRequest }
    }

    @Test func mergeJSONAndApplyPatches() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("p")
        _ = try await api.create(ConfigMap(name: name, data: ["keep": "1", "drop": "2"]))
        let merged = try await api.patch(ConfigMap.self, name: name, patch: .merge(.object(["data": .object(["drop": .null, "new": .string("3")])])))
        #expect(merged.data == ["keep": "1", "new": "3"])
        let jsonPatched = try await api.patch(
            ConfigMap.self, name: name,
            patch: .json([
                .object(["op": .string("replace"), "path": .string("/data/keep"), "value": .string("10")]),
                .object(["op": .string("add"), "path": .string("/metadata/labels"), "value": .object(["x": .string("y")])]),
            ]))
        #expect(jsonPatched.data == ["keep": "10", "new": "3"] && jsonPatched.metadata.labels == ["x": "y"])
        await #expect {
            _ = try await api.patch(ConfigMap.self, name: name, patch: .json([.object(["op": .string("test"), "path": .string("/data/keep"), "value": .string("0")])]))
        } throws: { error in (error as? KubeError).map { $0.code == .invalid || $0.code == .badRequest || $0.code == .conflict } ?? false }

        var intent = ConfigMap(name: name, data: ["owned": "by-a"])
        let applied = try await api.apply(intent, fieldManager: "manager-a")
        #expect(applied.data?["owned"] == "by-a")
        #expect(applied.metadata.managedFields != nil)
        intent.data = ["owned": "by-b"]
        await #expect { _ = try await api.apply(intent, fieldManager: "manager-b") } throws: { ($0 as? KubeError)?.code == .conflict }
        let forced = try await api.apply(intent, fieldManager: "manager-b", force: true)
        #expect(forced.data?["owned"] == "by-b")
        await #expect {
            _ = try await api.patch(Widget.self, name: "any", patch: .merge(.object([:]))).spec
        } throws: { ($0 as? KubeError)?.code == .notFound }
    }

    @Test func deletePropagationAndGarbageCollection() async throws {
        let (_, api) = try await SharedEmulator.get()
        func family(_ owner: String) async throws -> (ConfigMap, String) {
            let parent = try await api.create(ConfigMap(name: owner))
            let reference = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: owner, uid: parent.metadata.uid ?? "")
            var child = ConfigMap(name: "\(owner)-child")
            child.metadata.ownerReferences = [reference]
            _ = try await api.create(child)
            return (parent, "\(owner)-child")
        }
        func exists(_ name: String) async throws -> Bool {
            do {
                _ = try await api.get(ConfigMap.self, name: name)
                return true
            } catch let error as KubeError where error.code == .notFound {
                return false
            }
        }
        let (_, backgroundChild) = try await family(unique("bg"))
        try await api.delete(ConfigMap.self, name: String(backgroundChild.dropLast(6)), propagation: .background)
        try await waitUntil { try await !exists(backgroundChild) }

        let (_, orphanChild) = try await family(unique("orphan"))
        try await api.delete(ConfigMap.self, name: String(orphanChild.dropLast(6)), propagation: .orphan)
        try await Task.sleep(for: .milliseconds(500))
        let orphan = try await api.get(ConfigMap.self, name: orphanChild)
        #expect(orphan.metadata.ownerReferences?.isEmpty ?? true)

        let (_, foregroundChild) = try await family(unique("fg"))
        let owner = String(foregroundChild.dropLast(6))
        try await api.delete(ConfigMap.self, name: owner, propagation: .foreground)
        let childGone = try await eventually { try await !exists(foregroundChild) }
        let ownerGone = try await eventually { try await !exists(owner) }
        #expect(childGone && ownerGone)

        let stale = try await api.create(ConfigMap(name: unique("pre")))
        _ = try await api.update(stale.with { $0.data = ["x": "1"] })
        await #expect {
            try await api.delete(ConfigMap.self, name: stale.metadata.name!, resourceVersion: stale.metadata.resourceVersion)
        } throws: { ($0 as? KubeError)?.code == .conflict }
    }

    @Test func leaseElectionByResourceVersion() async throws {
        let (_, api) = try await SharedEmulator.get()
        let name = unique("lease")
        let now = "2026-01-01T00:00:00.000000Z"
        let lease = try await api.create(Lease(metadata: ObjectMeta(name: name), spec: Lease.Spec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0)))
        var renewal = lease
        renewal.spec.renewTime = "2026-01-01T00:00:05.000000Z"
        let renewed = try await api.update(renewal)
        var takeover = lease
        takeover.spec.holderIdentity = "b"
        await #expect { _ = try await api.update(takeover) } throws: { ($0 as? KubeError)?.code == .conflict }
        #expect(try await api.get(Lease.self, name: name).spec.holderIdentity == "a")
        #expect(renewed.spec.renewTime == "2026-01-01T00:00:05.000000Z")
    }

    @Test func untypedObjectsAndClusterScopedTypes() async throws {
        let (_, api) = try await SharedEmulator.get()
        let crd = try await api.get(EmulatorProcess.crdType, name: "widgets.test.pybak.io", as: JSONValue.self)
        guard case .object(let fields) = crd, case .object(let metadata)? = fields["metadata"] else {
            Issue.record("not an object: \(crd)")
            return
        }
        #expect(metadata["name"] == .string("widgets.test.pybak.io"))
        let list = try await api.list(ConfigMap.resourceType, namespace: KubeAPI.allNamespaces, as: JSONValue.self)
        guard case .object(let listFields) = list, case .array(let items)? = listFields["items"] else {
            Issue.record("not a list: \(list)")
            return
        }
        #expect(!items.isEmpty)
    }
}

extension ConfigMap {
    func with(_ change: (inout ConfigMap) -> Void) -> ConfigMap {
        var copy = self
        change(&copy)
        return copy
    }
}
