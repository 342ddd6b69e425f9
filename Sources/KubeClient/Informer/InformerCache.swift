/// The informer's local copy of a collection, keyed by `namespace/name`; readers never call the server.
public actor InformerCache<Object: KubeResource> {
    private var objects: [String: Object] = [:]
    /// Whether the first list has been loaded.
    public private(set) var hasSynced = false

    /// Creates an empty cache.
    public init() {}

    /// The key of an object: `namespace/name` (`/name` for cluster-scoped objects).
    public static func key(namespace: String?, name: String) -> String { "\(namespace ?? "")/\(name)" }

    static func key(of object: Object) -> String { key(namespace: object.metadata.namespace, name: object.metadata.name ?? "") }

    /// One object, if cached.
    public func get(namespace: String?, name: String) -> Object? { objects[Self.key(namespace: namespace, name: name)] }

    /// Every cached object, sorted by key.
    public func list() -> [Object] { objects.keys.sorted().compactMap { objects[$0] } }

    /// How many objects are cached.
    public var count: Int { objects.count }

    /// Replaces the contents with a fresh list and returns the differences as events.
    func replace(with items: [Object]) -> [InformerEvent<Object>] {
        var fresh: [String: Object] = [:]
        var events: [InformerEvent<Object>] = []
        for item in items {
            let key = Self.key(of: item)
            fresh[key] = item
            if let old = objects[key] {
                if old.metadata.resourceVersion != item.metadata.resourceVersion { events.append(.updated(old: old, new: item)) }
            } else {
                events.append(.added(item))
            }
        }
        for (key, old) in objects where fresh[key] == nil { events.append(.deleted(old)) }
        objects = fresh
        hasSynced = true
        return events
    }

    /// Applies one watch event and returns what changed (nil for bookmarks).
    func apply(_ event: WatchEvent<Object>) -> InformerEvent<Object>? {
        switch event {
        case .added(let object), .modified(let object):
            let key = Self.key(of: object)
            let old = objects.updateValue(object, forKey: key)
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        case .deleted(let object):
            objects[Self.key(of: object)] = nil
            return .deleted(object)
        case .bookmark:
            return nil
        }
    }
}
