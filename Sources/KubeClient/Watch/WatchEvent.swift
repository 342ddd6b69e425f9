/// One change from a watch stream. `ERROR` events are not events: they end the stream with a `KubeError`
/// (`.expired` for 410).
public enum WatchEvent<Object: Decodable & Sendable>: Sendable {
    /// An object appeared (or is listed at the start of a watch without a resource version).
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted; this is its last state.
    case deleted(Object)
    /// Progress: every change up to this resource version was sent. Carries no object; servers may never send one.
    case bookmark(resourceVersion: String)

    /// The object, for every event but a bookmark.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark: return nil
        }
    }

    /// `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`.
    public var type: String {
        switch self {
        case .added: return "ADDED"
        case .modified: return "MODIFIED"
        case .deleted: return "DELETED"
        case .bookmark: return "BOOKMARK"
        }
    }
}

/// One watch line as sent: `{"type": "...", "object": {...}}`; an `ERROR` line's object is a `Status`.
enum WatchLine<Object: Decodable & Sendable>: Decodable {
    case event(WatchEvent<Object>)
    case error(Status)

    private enum Keys: String, CodingKey { case type, object }

    private struct BookmarkObject: Decodable {
        struct Meta: Decodable { var resourceVersion: String? }
        var metadata: Meta?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .event(.added(try container.decode(Object.self, forKey: .object)))
        case "MODIFIED": self = .event(.modified(try container.decode(Object.self, forKey: .object)))
        case "DELETED": self = .event(.deleted(try container.decode(Object.self, forKey: .object)))
        case "BOOKMARK":
            let object = try container.decode(BookmarkObject.self, forKey: .object)
            self = .event(.bookmark(resourceVersion: object.metadata?.resourceVersion ?? ""))
        case "ERROR": self = .error(try container.decode(Status.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \"\(type)\"")
        }
    }
}
