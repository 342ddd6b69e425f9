import Foundation
import Testing

@testable import KubeClient

/// An informer cache holding objects as deflated JSON reads back exactly what it was given, for a fraction of the bytes.
@Suite struct InformerStorageTests {
    static func map(_ name: String, version: String, size: Int = 200) -> ConfigMap {
        var map = ConfigMap(name: name, namespace: "default", labels: ["app": "pybak", "policy": name],
                            data: Dictionary(uniqueKeysWithValues: (0..<size).map { ("key-\($0)", "the value of entry \($0) of \(name)") }))
        map.metadata.resourceVersion = version
        return map
    }

    @Test func deflatedJSONReadsBackTheSameValueInFewerBytes() throws {
        let original = Self.map("invoices", version: "7")
        let packed = try #require(DeflatedJSON(original))
        #expect(packed.decode(ConfigMap.self) == original)
        let json = try JSONEncoder().encode(original)
        #expect(packed.storedBytes * 4 < json.count, "deflated \(packed.storedBytes) of \(json.count) bytes")
    }

    @Test func aSiblingDeflatedAgainstAnotherAsDictionaryTakesFarFewerBytes() throws {
        // Objects of a kind differ in a few fields (name, labels, a path), as the controller's CronJobs do.
        let first = Self.map("invoices", version: "7")
        var sibling = first
        sibling.metadata.name = "payroll"
        sibling.metadata.labels?["policy"] = "payroll"
        sibling.metadata.resourceVersion = "9"
        sibling.data?["key-7"] = "/data/payroll"
        let dictionary = DeflateDictionary(try #require(DeflatedJSON.json(first)))
        let alone = try #require(DeflatedJSON(sibling))
        let against = try #require(DeflatedJSON(sibling, dictionary: dictionary))
        #expect(against.decode(ConfigMap.self) == sibling)
        #expect(against.storedBytes * 3 < alone.storedBytes, "\(against.storedBytes) bytes against the dictionary, \(alone.storedBytes) alone")
    }

    @Test func aDeflatedCacheGetsListsAndReportsChangesAsAValueCacheDoes() async throws {
        let deflated = InformerCache<ConfigMap>(storage: .deflatedJSON)
        let values = InformerCache<ConfigMap>()
        let first = [Self.map("a", version: "1"), Self.map("b", version: "1")]
        for cache in [deflated, values] {
            let added = await cache.replace(with: first)
            #expect(added.map(\.object) == first)
        }
        #expect(await deflated.deflatedBytes > 0)
        #expect(await values.deflatedBytes == 0)
        #expect(await deflated.list() == first)
        #expect(await deflated.names().map { "\($0.namespace)/\($0.name)" } == ["default/a", "default/b"])
        #expect(await deflated.get(namespace: "default", name: "b") == first[1])

        var changed = Self.map("b", version: "2")
        changed.data?["key-0"] = "new"
        guard case .updated(let old, let new)? = await deflated.apply(.modified(changed)) else {
            Issue.record("a modification is an update")
            return
        }
        #expect(old == first[1] && new == changed)
        #expect(await deflated.get(namespace: "default", name: "b") == changed)

        let relisted = await deflated.replace(with: [changed])  // "a" went away while no watch ran
        #expect(relisted.count == 1)
        guard case .deleted(let gone)? = relisted.first else {
            Issue.record("a relist without an object reports it deleted")
            return
        }
        #expect(gone == first[0])
        #expect(await deflated.count == 1)
    }
}
