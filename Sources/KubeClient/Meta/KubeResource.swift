/// A Kubernetes object type the client can read and write: where it lives in the API, and its metadata.
public protocol KubeResource: Codable, Sendable {
    /// The API group; empty for the core group (`v1`).
    static var group: String { get }
    /// The API version within the group (`v1`, `v1alpha1`).
    static var version: String { get }
    /// The kind (`CronJob`).
    static var kind: String { get }
    /// The lower-case plural used in URLs (`cronjobs`).
    static var plural: String { get }
    /// Whether objects live in namespaces.
    static var isNamespaced: Bool { get }

    /// The object's metadata.
    var metadata: ObjectMeta { get set }
}

extension KubeResource {
    /// `group/version`, or `version` for the core group.
    public static var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
}

/// A list of objects of one kind, as the list endpoint returns it.
public struct ResourceList<Item: KubeResource>: Codable, Sendable {
    /// `<Kind>List`.
    public var kind: String?
    /// The group/version.
    public var apiVersion: String?
    /// The list's version, to watch from, and the pagination token.
    public var metadata: ListMeta
    /// The objects.
    public var items: [Item]

    /// Creates a list.
    public init(metadata: ListMeta, items: [Item]) {
        self.metadata = metadata
        self.items = items
    }
}
