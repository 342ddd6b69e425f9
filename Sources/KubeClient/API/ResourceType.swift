/// Where a kind lives in the API, for calls that are not tied to a Swift type (untyped objects, CRDs known at run time).
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The version within the group.
    public var version: String
    /// The lower-case plural used in URLs.
    public var plural: String
    /// The kind.
    public var kind: String
    /// Whether objects live in namespaces.
    public var isNamespaced: Bool

    /// Creates a resource type.
    public init(group: String, version: String, plural: String, kind: String, isNamespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.isNamespaced = isNamespaced
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

extension KubeResource {
    /// This type's place in the API.
    public static var resourceType: ResourceType {
        ResourceType(group: group, version: version, plural: plural, kind: kind, isNamespaced: isNamespaced)
    }
}
