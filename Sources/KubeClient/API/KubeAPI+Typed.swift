import Foundation
import PyBakCore

/// The verbs for `KubeResource` types: the type says where it lives, the object says its name and namespace.
extension KubeAPI {
    /// Reads one object.
    public func get<R: KubeResource>(_ type: R.Type, name: String, namespace: String? = nil) async throws -> R {
        try await get(R.resourceType, name: name, namespace: namespace, as: R.self)
    }

    /// Reads one page of a collection.
    public func list<R: KubeResource>(_ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ResourceList<R> {
        try await list(R.resourceType, namespace: namespace, options: options, as: ResourceList<R>.self)
    }

    /// Reads a whole collection page by page (`options.limit` per page, default 500), following `continue` tokens.
    /// - Returns: every item, with the resource version of the last page (to watch from).
    public func listAll<R: KubeResource>(_ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ResourceList<R> {
        var page = options
        if page.limit == nil { page.limit = 500 }
        var items: [R] = []
        while true {
            let list = try await list(R.self, namespace: namespace, options: page)
            items += list.items
            guard let token = list.metadata.continue, !token.isEmpty else {
                var all = list
                all.items = items
                all.metadata.continue = nil
                return all
            }
            page.continueToken = token
            page.resourceVersion = nil
        }
    }

    /// Creates an object in its `metadata.namespace` (or `namespace`, or the configuration's default).
    public func create<R: KubeResource>(_ object: R, namespace: String? = nil) async throws -> R {
        try await create(R.resourceType, namespace: namespace ?? object.metadata.namespace, body: try body(of: object), as: R.self)
    }

    /// Replaces an object (spec and metadata; the server ignores status changes here when the kind has a status
    /// subresource). With `metadata.resourceVersion` set, a concurrent change makes it fail with `.conflict`.
    public func update<R: KubeResource>(_ object: R) async throws -> R {
        try await replace(R.resourceType, name: try Self.name(of: object), namespace: object.metadata.namespace, body: try body(of: object), as: R.self)
    }

    /// Replaces an object's status through the `status` subresource (everything else in the body is ignored).
    public func updateStatus<R: KubeResource>(_ object: R) async throws -> R {
        try await replace(R.resourceType, name: try Self.name(of: object), namespace: object.metadata.namespace, subresource: "status", body: try body(of: object), as: R.self)
    }

    /// Patches an object.
    public func patch<R: KubeResource>(_ type: R.Type, name: String, namespace: String? = nil, subresource: String? = nil, patch: Patch) async throws -> R {
        try await self.patch(R.resourceType, name: name, namespace: namespace, subresource: subresource, patch: patch, as: R.self)
    }

    /// Server-side apply of `object` (its set fields are the intent) owned by `fieldManager`.
    /// - Parameter force: take over fields owned by other managers instead of failing with `.conflict`.
    public func apply<R: KubeResource>(_ object: R, fieldManager: String, force: Bool = false) async throws -> R {
        var intent = object
        intent.metadata.resourceVersion = nil
        intent.metadata.managedFields = nil
        let fields = try body(of: intent)
        return try await patch(R.self, name: try Self.name(of: object), namespace: object.metadata.namespace, patch: .apply(fields, fieldManager: fieldManager, force: force))
    }

    /// The object as JSON with `apiVersion` and `kind` set from its type (the server requires both).
    func body<R: KubeResource>(of object: R) throws -> JSONValue {
        let value = try decode(JSONValue.self, from: try encode(object, endpoint: R.kind), endpoint: R.kind)
        guard case .object(var fields) = value else {
            throw KubeError(code: .decoding, endpoint: R.kind, detail: "a \(R.kind) did not encode as a JSON object")
        }
        fields["apiVersion"] = .string(R.apiVersion)
        fields["kind"] = .string(R.kind)
        return .object(fields)
    }

    /// Deletes an object.
    public func delete<R: KubeResource>(_ type: R.Type, name: String, namespace: String? = nil, propagation: PropagationPolicy? = nil, resourceVersion: String? = nil) async throws {
        try await delete(R.resourceType, name: name, namespace: namespace, propagation: propagation, resourceVersion: resourceVersion)
    }

    static func name<R: KubeResource>(of object: R) throws -> String {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubeError(code: .invalid, endpoint: "\(R.kind)", detail: "the \(R.kind) has no metadata.name; set it before updating")
        }
        return name
    }
}
