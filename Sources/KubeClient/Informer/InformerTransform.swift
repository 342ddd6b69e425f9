/// What an informer does to each object before its cache keeps it and its handler sees it (client-go's
/// transform functions): keep only what the controller reads, so a large cache stays small.
public struct InformerTransform<Object: KubeResource>: Sendable {
    /// The transform itself.
    public let apply: @Sendable (Object) -> Object

    /// Wraps a function.
    public init(_ apply: @escaping @Sendable (Object) -> Object) {
        self.apply = apply
    }

    /// Drops `metadata.managedFields`: server-side apply bookkeeping, often the largest part of an object's
    /// metadata, which a controller reading its cache does not need. An update sent without managedFields
    /// leaves the server's unchanged.
    public static var strippingManagedFields: Self {
        Self { object in
            var stripped = object
            stripped.metadata.managedFields = nil
            return stripped
        }
    }
}
