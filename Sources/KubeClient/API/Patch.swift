import PyBakCore

/// A change to an object, by one of the three patch types the API accepts for every resource.
public enum Patch: Sendable, Equatable {
    /// `application/merge-patch+json` (RFC 7386): objects merge, `null` deletes, lists are replaced.
    case merge(JSONValue)
    /// `application/json-patch+json` (RFC 6902): a list of `{"op", "path", "value"}` operations.
    case json([JSONValue])
    /// `application/apply-patch+yaml`: server-side apply of a full intent, owned by a field manager.
    case apply(JSONValue, fieldManager: String, force: Bool)

    /// The `Content-Type` of the patch.
    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}

/// Which dependents a delete takes with it (`ownerReferences` garbage collection).
public enum PropagationPolicy: String, Sendable, Equatable {
    /// Delete the owner now; the garbage collector deletes dependents afterwards (the server default for most kinds).
    case background = "Background"
    /// Delete dependents first; the owner stays (with a `foregroundDeletion` finalizer) until they are gone.
    case foreground = "Foreground"
    /// Leave dependents, removing the owner reference.
    case orphan = "Orphan"
}
