/// `metav1.Status`: the body of every non-2xx answer from the Kubernetes API, and of watch `ERROR` events.
public struct Status: Codable, Sendable, Equatable {
    /// `Success` or `Failure`.
    public var status: String?
    /// The server's sentence.
    public var message: String?
    /// A CamelCase reason (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Gone`, `Forbidden`, ...).
    public var reason: String?
    /// More about the object involved.
    public var details: StatusDetails?
    /// The HTTP status code.
    public var code: Int?

    /// Creates a status.
    public init(status: String? = nil, message: String? = nil, reason: String? = nil, details: StatusDetails? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// `metav1.StatusDetails`: the object a `Status` is about, and the field-level causes of an `Invalid`.
public struct StatusDetails: Codable, Sendable, Equatable {
    /// The object's name.
    public var name: String?
    /// The object's API group.
    public var group: String?
    /// The object's kind.
    public var kind: String?
    /// Field-level problems (`Invalid`).
    public var causes: [StatusCause]?
    /// Seconds to wait before retrying (`TooManyRequests`, server timeouts).
    public var retryAfterSeconds: Int?
}

/// `metav1.StatusCause`: one field-level problem.
public struct StatusCause: Codable, Sendable, Equatable {
    /// A machine-readable cause (`FieldValueInvalid`, `FieldValueRequired`, ...).
    public var reason: String?
    /// The sentence.
    public var message: String?
    /// The field path (`spec.schedule`).
    public var field: String?
}
