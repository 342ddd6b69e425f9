/// The informer's local copy of a collection, keyed by `namespace/name`; readers never call the server.
public actor InformerCache<Object: KubeResource> {
    /// Boxed: a dictionary keeps up to twice as many slots as entries, and a Kubernetes object held inline is
    /// hundreds of bytes wide, so boxes (one pointer a slot) halve what a large cache costs.
    private var objects: [String: Entry<Object>] = [:]
    private let transform: InformerTransform<Object>?
    /// Whether the first list has been loaded.
    public private(set) var hasSynced = false

    /// Creates an empty cache.
    /// - Parameter transform: applied to every object before it is kept (and handed on as an event).
    public init(transform: InformerTransform<Object>? = nil) {
        self.transform = transform
    }

    /// The key of an object: `namespace/name` (`/name` for cluster-scoped objects).
    public static func key(namespace: String?, name: String) -> String { "\(namespace ?? "")/\(name)" }

    static func key(of object: Object) -> String { key(namespace: object.metadata.namespace, name: object.metadata.name ?? "") }

    /// One object, if cached.
    public func get(namespace: String?, name: String) -> Object? { objects[Self.key(namespace: namespace, name: name)]?.object }

    /// Every cached object, sorted by key.
    public func list() -> [Object] { objects.keys.sorted().compactMap { objects[$0]?.object } }

    /// How many objects are cached.
    public var count: Int { objects.count }

    /// Replaces the contents with a fresh list and returns the differences as events.
    func replace(with items: [Object]) -> [InformerEvent<Object>] {
        var fresh: [String: Entry<Object>] = [:]
        var events: [InformerEvent<Object>] = []
        for item in items {
            let item = transform?.apply(item) ?? item
            let key = Self.key(of: item)
            fresh[key] = Entry(item)
            if let old = objects[key]?.object {
                if old.metadata.resourceVersion != item.metadata.resourceVersion { events.append(.updated(old: old, new: item)) }
            } else {
                events.append(.added(item))
            }
        }
        for (key, old) in objects where fresh[key] == nil { events.append(.deleted(old.object)) }
        objects = fresh
        hasSynced = true
        return events
    }

    /// Applies one watch event and returns what changed (nil for bookmarks).
    func apply(_ event: WatchEvent<Object>) -> InformerEvent<Object>? {
        switch event {
        case .added(let object), .modified(let object):
            let object = transform?.apply(object) ?? object
            let key = Self.key(of: object)
            let old = objects.updateValue(Entry(object), forKey: key)?.object
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        case .deleted(let object):
            let object = transform?.apply(object) ?? object
            objects[Self.key(of: object)] = nil
            return .deleted(object)
        case .bookmark:
            return nil
        }
    }
}

/// One cached object, boxed (see `InformerCache.objects`).
private final class Entry<Object: Sendable>: Sendable {
    let object: Object
    init(_ object: Object) { self.object = object }
}
