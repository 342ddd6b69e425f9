/// What a list or watch selects: selectors, a page size, a continue token, a resource version.
public struct ListOptions: Sendable, Equatable {
    /// `labelSelector`: `app=x`, `tier!=db`, `env in (a,b)`, `env notin (c)`, `key`, `!key`, comma-joined.
    public var labelSelector: String?
    /// `fieldSelector`: `metadata.name=x`, `metadata.namespace!=y`.
    public var fieldSelector: String?
    /// Page size; the answer carries a continue token when more remain.
    public var limit: Int?
    /// The continue token of the previous page.
    public var continueToken: String?
    /// The resource version to read at (list) or to watch after (watch).
    public var resourceVersion: String?

    /// Creates options.
    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil, resourceVersion: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    /// Adds these options to a path's query.
    func apply(to path: inout ResourcePath) {
        path.add("labelSelector", labelSelector)
        path.add("fieldSelector", fieldSelector)
        path.add("limit", limit.map(String.init))
        path.add("continue", continueToken)
        path.add("resourceVersion", resourceVersion)
    }
}
