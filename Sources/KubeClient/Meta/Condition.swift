/// `metav1.Condition`: one observed aspect of an object's state, as `kubectl describe` shows it.
public struct Condition: Codable, Sendable, Equatable {
    /// The aspect, in CamelCase (`Ready`, `Progressing`, `Degraded`).
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    /// The generation the condition was computed from.
    public var observedGeneration: Int64?
    /// When `status` last changed (RFC 3339); kept when only the reason or message changes.
    public var lastTransitionTime: String
    /// A CamelCase reason a program can match.
    public var reason: String
    /// A sentence for people.
    public var message: String

    /// Creates a condition.
    public init(type: String, status: String, observedGeneration: Int64? = nil, lastTransitionTime: String, reason: String, message: String) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
