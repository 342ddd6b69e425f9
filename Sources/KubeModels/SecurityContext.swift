/// `core/v1` `PodSecurityContext` (the fields PyBak sets).
public struct PodSecurityContext: Codable, Sendable, Equatable {
    public var runAsNonRoot: Bool?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var fsGroup: Int64?
    public var seccompProfile: SeccompProfile?

    /// An empty context.
    public init() {}
}

/// `core/v1` `SecurityContext` of a container.
public struct SecurityContext: Codable, Sendable, Equatable {
    public var runAsNonRoot: Bool?
    public var runAsUser: Int64?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var privileged: Bool?
    public var capabilities: Capabilities?
    public var seccompProfile: SeccompProfile?

    /// An empty context.
    public init() {}
}

/// `core/v1` `Capabilities`.
public struct Capabilities: Codable, Sendable, Equatable {
    public var add: [String]?
    public var drop: [String]?

    /// Creates a capability set.
    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

/// `core/v1` `SeccompProfile`.
public struct SeccompProfile: Codable, Sendable, Equatable {
    /// `RuntimeDefault`, `Localhost` or `Unconfined`.
    public var type: String
    public var localhostProfile: String?

    /// Creates a profile.
    public init(type: String) {
        self.type = type
    }
}
