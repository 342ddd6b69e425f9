/// The informer's local copy of a collection, keyed by `namespace/name`; readers never call the server.
public actor InformerCache<Object: KubeResource> {
    private var objects: [String: Entry<Object>] = [:]
    private let transform: InformerTransform<Object>?
    private let storage: InformerStorage
    /// For `.deflatedJSON`: the JSON of the first object stored, which later ones are deflated against.
    private var dictionary: DeflateDictionary?
    /// Whether the first list has been loaded.
    public private(set) var hasSynced = false

    /// Creates an empty cache.
    /// - Parameters:
    ///   - transform: applied to every object before it is kept (and handed on as an event).
    ///   - storage: how objects are held (decoded, or deflated JSON decoded on each read).
    public init(transform: InformerTransform<Object>? = nil, storage: InformerStorage = .values) {
        self.transform = transform
        self.storage = storage
    }

    /// The key of an object: `namespace/name` (`/name` for cluster-scoped objects).
    public static func key(namespace: String?, name: String) -> String { "\(namespace ?? "")/\(name)" }

    static func key(of object: Object) -> String { key(namespace: object.metadata.namespace, name: object.metadata.name ?? "") }

    /// One object, if cached.
    public func get(namespace: String?, name: String) -> Object? { objects[Self.key(namespace: namespace, name: name)]?.object }

    /// Every cached object, sorted by key.
    public func list() -> [Object] { objects.keys.sorted().compactMap { objects[$0]?.object } }

    /// Bytes the objects take where they are held as deflated JSON (0 for objects held as values).
    public var deflatedBytes: Int { objects.values.reduce(0) { $0 + $1.deflatedBytes } }

    /// The namespace (empty for cluster-scoped objects) and name of every cached object, sorted, without
    /// decoding any object (for callers that need only the keys of a deflated cache).
    public func names() -> [(namespace: String, name: String)] {
        objects.keys.sorted().map { key in
            let slash = key.firstIndex(of: "/") ?? key.startIndex
            return (String(key[..<slash]), String(key[key.index(after: slash)...]))
        }
    }

    /// How many objects are cached.
    public var count: Int { objects.count }

    /// Replaces the contents with a fresh list and returns the differences as events.
    func replace(with items: [Object]) -> [InformerEvent<Object>] {
        var fresh: [String: Entry<Object>] = [:]
        var events: [InformerEvent<Object>] = []
        for item in items {
            let item = transform?.apply(item) ?? item
            let key = Self.key(of: item)
            fresh[key] = entry(item)
            if let old = objects[key] {
                if old.resourceVersion != item.metadata.resourceVersion, let previous = old.object { events.append(.updated(old: previous, new: item)) }
            } else {
                events.append(.added(item))
            }
        }
        for (key, old) in objects where fresh[key] == nil {
            if let object = old.object { events.append(.deleted(object)) }
        }
        objects = fresh
        hasSynced = true
        return events
    }

    private func entry(_ object: Object) -> Entry<Object> {
        guard storage == .deflatedJSON else { return Entry(value: object) }
        if dictionary == nil, let json = DeflatedJSON.json(object) { dictionary = DeflateDictionary(json) }
        return Entry(deflating: object, dictionary: dictionary)
    }

    /// Applies one watch event and returns what changed (nil for bookmarks).
    func apply(_ event: WatchEvent<Object>) -> InformerEvent<Object>? {
        switch event {
        case .added(let object), .modified(let object):
            let object = transform?.apply(object) ?? object
            let key = Self.key(of: object)
            let old = objects.updateValue(entry(object), forKey: key)?.object
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

/// One cached object: its resource version and the object or its deflated JSON.
private struct Entry<Object: KubeResource>: Sendable {
    let resourceVersion: String?
    private let stored: Stored

    /// Indirect, so that an entry is a few words wide whichever way it holds its object: a Kubernetes object held
    /// inline is hundreds of bytes wide, and a dictionary keeps up to twice as many slots as entries.
    private enum Stored: Sendable {
        indirect case value(Object)
        case deflated(DeflatedJSON)
    }

    init(value object: Object) {
        resourceVersion = object.metadata.resourceVersion
        stored = .value(object)
    }

    /// Deflated, or kept as a value when its JSON does not read back the same.
    init(deflating object: Object, dictionary: DeflateDictionary?) {
        resourceVersion = object.metadata.resourceVersion
        stored = DeflatedJSON(object, dictionary: dictionary).map { .deflated($0) } ?? .value(object)
    }

    /// The object (nil only if deflated JSON that read back once no longer does).
    var object: Object? {
        switch stored {
        case .value(let object): return object
        case .deflated(let packed): return packed.decode(Object.self)
        }
    }

    /// Bytes of deflated JSON held (0 for a value).
    var deflatedBytes: Int {
        if case .deflated(let packed) = stored { return packed.storedBytes }
        return 0
    }
}
