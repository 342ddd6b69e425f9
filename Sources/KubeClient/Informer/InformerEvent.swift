/// A change an informer hands to its handler, after its cache has been updated.
public enum InformerEvent<Object: KubeResource>: Sendable {
    /// An object appeared (listed at start or on a relist, or added while watching).
    case added(Object)
    /// An object changed; `old` is what the cache held.
    case updated(old: Object, new: Object)
    /// An object went away (deleted while watching, or missing from a relist).
    case deleted(Object)

    /// The object's current (or, for a deletion, last) state.
    public var object: Object {
        switch self {
        case .added(let object), .deleted(let object): return object
        case .updated(_, let new): return new
        }
    }
}
