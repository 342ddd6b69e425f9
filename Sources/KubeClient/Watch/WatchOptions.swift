/// What a watch selects and how long it lasts.
public struct WatchOptions: Sendable, Equatable {
    /// Send only changes after this version; nil or `"0"` starts with synthetic `ADDED` events for what exists.
    public var resourceVersion: String?
    /// `labelSelector`, as for lists.
    public var labelSelector: String?
    /// `fieldSelector`, as for lists.
    public var fieldSelector: String?
    /// Asks the server to end the stream after this many seconds (`timeoutSeconds`).
    public var timeoutSeconds: Int?
    /// Asks for `BOOKMARK` events (`allowWatchBookmarks`).
    public var allowBookmarks: Bool
    /// Ends the stream on the client after this many seconds, whatever the server does (default: `timeoutSeconds`
    /// plus 30 s, or none without it).
    public var deadline: Double?

    /// Creates options.
    public init(
        resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil, timeoutSeconds: Int? = nil,
        allowBookmarks: Bool = false, deadline: Double? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.timeoutSeconds = timeoutSeconds
        self.allowBookmarks = allowBookmarks
        self.deadline = deadline
    }

    /// The client deadline in effect.
    var effectiveDeadline: Double? { deadline ?? timeoutSeconds.map { Double($0) + 30 } }

    /// Adds these options to a path's query.
    func apply(to path: inout ResourcePath) {
        path.add("watch", "1")
        path.add("resourceVersion", resourceVersion)
        path.add("labelSelector", labelSelector)
        path.add("fieldSelector", fieldSelector)
        path.add("timeoutSeconds", timeoutSeconds.map(String.init))
        if allowBookmarks { path.add("allowWatchBookmarks", "true") }
    }
}
