import Testing

@testable import PyBakCore

@Suite struct ShardSelectorTests {
    @Test func everyPathBelongsToExactlyOneShard() throws {
        let paths = (0..<500).map { "folder\($0 % 7)/file-\($0).csv" }
        let shards = try (0..<3).map { try ShardSelector(index: $0, count: 3) }
        for path in paths {
            #expect(shards.filter { $0.owns(path) }.count == 1)
        }
        let sizes = shards.map { shard in paths.filter(shard.owns).count }
        #expect(sizes.allSatisfy { $0 > 100 })  // roughly even
    }

    @Test func theHashIsStableAcrossRuns() {
        // FNV-1a 64 reference values.
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x85944171f73967e8)
    }

    @Test func oneShardTakesEverythingAndUsesThePlainLock() {
        #expect(ShardSelector.all.owns("anything"))
        #expect(ShardSelector.all.lockName == "lock")
    }

    @Test func anIndexOutsideTheCountIsAConfigError() {
        #expect(throws: PyBakError.self) { try ShardSelector(index: 2, count: 2) }
        #expect(throws: PyBakError.self) { try ShardSelector(index: 0, count: 0) }
    }
}
