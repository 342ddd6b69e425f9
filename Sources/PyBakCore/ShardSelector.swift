/// Which files one Pod of a sharded run takes: those whose stable hash of the relative path, modulo the
/// number of Pods, equals its index (`JOB_COMPLETION_INDEX` of an Indexed Job). Every file goes to exactly one Pod.
public struct ShardSelector: Sendable, Equatable {
    /// This Pod's index, 0-based.
    public var index: Int
    /// The number of Pods sharing the source.
    public var count: Int

    /// The whole source (no sharding).
    public static let all = ShardSelector(uncheckedIndex: 0, count: 1)

    /// Creates a selector.
    /// - Throws: `PyBakError.config` when the index is not in `0..<count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw PyBakError(.config, "the number of workers is \(count); it must be at least 1") }
        guard (0..<count).contains(index) else {
            throw PyBakError(.config, "shard index \(index) is outside 0..<\(count); JOB_COMPLETION_INDEX must be below the number of workers (PYBAK_WORKERS)")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    private init(uncheckedIndex: Int, count: Int) {
        self.index = uncheckedIndex
        self.count = count
    }

    /// Whether this shard takes the file.
    public func owns(_ relativePath: String) -> Bool {
        count == 1 || Int(StableHash.fnv1a64(relativePath) % UInt64(count)) == index
    }

    /// The destination lock's file name: one per shard, so the Pods of one run work side by side.
    public var lockName: String { "lock\(suffix)" }

    /// The folder of temporary copies in the state folder: one per shard, so one shard's recovery never
    /// removes another's files in flight.
    public var temporaryFolderName: String { "tmp\(suffix)" }

    /// The name of the policy's lock in a shared catalog: one per shard.
    public func policyLockName(_ policy: String) -> String { "\(policy)\(suffix)" }

    private var suffix: String { count == 1 ? "" : ".shard-\(index)" }
}
