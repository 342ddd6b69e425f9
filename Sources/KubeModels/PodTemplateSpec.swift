import KubeClient
import PyBakCore

/// `core/v1` `PodTemplateSpec`.
public struct PodTemplateSpec: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec

    /// Creates a template.
    public init(metadata: ObjectMeta? = nil, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `core/v1` `PodSpec`: the fields PyBak sets; scheduling pieces pass through as written.
public struct PodSpec: Codable, Sendable, Equatable {
    public var containers: [Container]
    public var volumes: [Volume]?
    /// `Never` or `OnFailure` for Jobs.
    public var restartPolicy: String?
    public var securityContext: PodSecurityContext?
    public var serviceAccountName: String?
    public var automountServiceAccountToken: Bool?
    public var nodeSelector: [String: String]?
    public var tolerations: JSONValue?
    public var affinity: JSONValue?
    public var priorityClassName: String?
    public var imagePullSecrets: JSONValue?
    public var activeDeadlineSeconds: Int64?

    /// Creates a spec.
    public init(containers: [Container]) {
        self.containers = containers
    }
}

/// `core/v1` `Container`.
public struct Container: Codable, Sendable, Equatable {
    public var name: String
    public var image: String?
    public var imagePullPolicy: String?
    public var command: [String]?
    public var args: [String]?
    public var env: [EnvVar]?
    public var volumeMounts: [VolumeMount]?
    /// `ResourceRequirements`, passed through.
    public var resources: JSONValue?
    public var securityContext: SecurityContext?

    /// Creates a container.
    public init(name: String, image: String? = nil) {
        self.name = name
        self.image = image
    }
}

/// `core/v1` `EnvVar`.
public struct EnvVar: Codable, Sendable, Equatable {
    public var name: String
    public var value: String?
    /// `EnvVarSource` (secretKeyRef, fieldRef, ...), passed through.
    public var valueFrom: JSONValue?

    /// A literal value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// A value taken from a key of a Secret.
    public init(name: String, secretName: String, key: String, optional: Bool? = nil) {
        self.name = name
        var ref: [String: JSONValue] = ["name": .string(secretName), "key": .string(key)]
        if let optional { ref["optional"] = .bool(optional) }
        self.valueFrom = .object(["secretKeyRef": .object(ref)])
    }
}

/// `core/v1` `VolumeMount`.
public struct VolumeMount: Codable, Sendable, Equatable {
    public var name: String
    public var mountPath: String
    public var subPath: String?
    public var readOnly: Bool?

    /// Creates a mount.
    public init(name: String, mountPath: String, subPath: String? = nil, readOnly: Bool? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.subPath = subPath
        self.readOnly = readOnly
    }
}

/// `core/v1` `Volume`: a name plus one volume source (`persistentVolumeClaim`, `secret`, `nfs`, ...)
/// kept as written, so any source the cluster supports passes through.
public struct Volume: Codable, Sendable, Equatable {
    public var name: String
    /// The source's key and body, e.g. `["persistentVolumeClaim": {"claimName": "inbox"}]`.
    public var source: [String: JSONValue]

    /// Creates a volume.
    public init(name: String, source: [String: JSONValue]) {
        self.name = name
        self.source = source
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        name = try container.decode(String.self, forKey: Key(stringValue: "name"))
        var source: [String: JSONValue] = [:]
        for key in container.allKeys where key.stringValue != "name" {
            source[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.source = source
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: Key(stringValue: "name"))
        for (key, value) in source {
            try container.encode(value, forKey: Key(stringValue: key))
        }
    }
}
