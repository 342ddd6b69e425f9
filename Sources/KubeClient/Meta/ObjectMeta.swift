import PyBakCore

/// `metav1.ObjectMeta`: the identity and bookkeeping every Kubernetes object carries.
public struct ObjectMeta: Codable, Sendable, Equatable {
    /// Unique within the namespace and kind.
    public var name: String?
    /// A prefix the server completes into a unique name on create.
    public var generateName: String?
    /// The namespace; nil for cluster-scoped kinds.
    public var namespace: String?
    /// Set by the server on create.
    public var uid: String?
    /// Opaque version for optimistic concurrency and watches; never compare or do arithmetic on it.
    public var resourceVersion: String?
    /// Incremented by the server on spec changes.
    public var generation: Int64?
    /// Set by the server on create (RFC 3339).
    public var creationTimestamp: String?
    /// Set when deletion was requested and finalizers still hold the object.
    public var deletionTimestamp: String?
    /// Labels, used by selectors.
    public var labels: [String: String]?
    /// Annotations.
    public var annotations: [String: String]?
    /// Objects this one depends on; when they go, it is garbage-collected.
    public var ownerReferences: [OwnerReference]?
    /// Finalizers that must be removed before the object is deleted.
    public var finalizers: [String]?
    /// Which managers own which fields (server-side apply); kept as written.
    public var managedFields: JSONValue?

    /// Creates metadata.
    public init(
        name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil, generateName: String? = nil, resourceVersion: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.generateName = generateName
        self.resourceVersion = resourceVersion
    }
}

/// `metav1.OwnerReference`: points a dependent at its owner, for garbage collection.
public struct OwnerReference: Codable, Sendable, Equatable {
    /// The owner's `apiVersion`.
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's uid.
    public var uid: String
    /// Whether this owner is the managing controller.
    public var controller: Bool?
    /// Whether foreground deletion of the owner waits for this dependent.
    public var blockOwnerDeletion: Bool?

    /// Creates an owner reference.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = true, blockOwnerDeletion: Bool? = true) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.ListMeta`: the version of a list, and where to continue a paginated one.
public struct ListMeta: Codable, Sendable, Equatable {
    /// The version to start a watch from after this list.
    public var resourceVersion: String?
    /// The token for the next page, when the list was cut by `limit`.
    public var `continue`: String?
    /// Objects left after this page, when the server knows.
    public var remainingItemCount: Int64?

    /// Creates list metadata.
    public init(resourceVersion: String? = nil, continue token: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = token
    }
}
