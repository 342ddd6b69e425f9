import Foundation

/// The REST verbs for any resource type, with any Codable body type (a `KubeResource`, or `JSONValue` untyped).
extension KubeAPI {
    /// Reads one object.
    /// - Throws: `KubeError` (`.notFound` when it does not exist).
    public func get<T: Decodable>(_ type: ResourceType, name: String, namespace: String? = nil, as: T.Type) async throws -> T {
        let path = ResourcePath(type, namespace: self.namespace(for: type, namespace), name: name)
        return try decode(T.self, from: try await call("GET", path), endpoint: "GET \(path.path)")
    }

    /// Reads one page of a collection (`limit` + `continue` in `options`).
    public func list<T: Decodable>(_ type: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions(), as: T.Type) async throws -> T {
        var path = ResourcePath(type, namespace: self.namespace(for: type, namespace))
        options.apply(to: &path)
        return try decode(T.self, from: try await call("GET", path), endpoint: "GET \(path.path)")
    }

    /// Creates an object in `namespace` (or the configuration's default).
    /// - Throws: `KubeError` (`.alreadyExists` on a taken name, `.invalid` with causes).
    public func create<Body: Encodable, T: Decodable>(_ type: ResourceType, namespace: String? = nil, body: Body, as: T.Type) async throws -> T {
        let path = ResourcePath(type, namespace: self.namespace(for: type, namespace))
        let bytes = try encode(body, endpoint: "POST \(path.path)")
        return try decode(T.self, from: try await call("POST", path, body: bytes, contentType: "application/json"), endpoint: "POST \(path.path)")
    }

    /// Replaces an object (or its `status` with `subresource: "status"`); a body carrying `metadata.resourceVersion`
    /// fails with `.conflict` when the object changed since.
    public func replace<Body: Encodable, T: Decodable>(
        _ type: ResourceType, name: String, namespace: String? = nil, subresource: String? = nil, body: Body, as: T.Type
    ) async throws -> T {
        let path = ResourcePath(type, namespace: self.namespace(for: type, namespace), name: name, subresource: subresource)
        let bytes = try encode(body, endpoint: "PUT \(path.path)")
        return try decode(T.self, from: try await call("PUT", path, body: bytes, contentType: "application/json"), endpoint: "PUT \(path.path)")
    }

    /// Patches an object (merge, JSON patch, or server-side apply).
    /// - Parameter subresource: `status` to patch the status.
    public func patch<T: Decodable>(_ type: ResourceType, name: String, namespace: String? = nil, subresource: String? = nil, patch: Patch, as: T.Type) async throws -> T {
        var path = ResourcePath(type, namespace: self.namespace(for: type, namespace), name: name, subresource: subresource)
        let endpoint = "PATCH \(path.path)"
        let bytes: [UInt8]
        switch patch {
        case .merge(let value): bytes = try encode(value, endpoint: endpoint)
        case .json(let operations): bytes = try encode(operations, endpoint: endpoint)
        case .apply(let value, let manager, let force):
            path.add("fieldManager", manager)
            if force { path.add("force", "true") }
            bytes = try encode(value, endpoint: endpoint)
        }
        return try decode(T.self, from: try await call("PATCH", path, body: bytes, contentType: patch.contentType), endpoint: endpoint)
    }

    /// Deletes an object.
    /// - Parameters:
    ///   - propagation: what happens to dependents; nil leaves it to the server's default for the kind.
    ///   - resourceVersion: a precondition: delete only this version (else `.conflict`).
    /// - Throws: `KubeError` (`.notFound` when it is already gone).
    public func delete(_ type: ResourceType, name: String, namespace: String? = nil, propagation: PropagationPolicy? = nil, resourceVersion: String? = nil) async throws {
        var path = ResourcePath(type, namespace: self.namespace(for: type, namespace), name: name)
        path.add("propagationPolicy", propagation?.rawValue)
        var body: [UInt8]?
        if let resourceVersion {
            body = Array(#"{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"\#(resourceVersion)"}}"#.utf8)
        }
        _ = try await call("DELETE", path, body: body, contentType: body == nil ? nil : "application/json")
    }
}
