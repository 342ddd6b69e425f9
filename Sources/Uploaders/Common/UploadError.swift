/// A failed upload or a bad cloud setting: what happened, to which file or object, and what to do.
public struct UploadError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The local file or the object (`s3://bucket/key`) concerned.
    public var subject: String
    /// What went wrong, with the service's own words when it gave them.
    public var message: String
    /// Whether a later attempt may succeed (network, timeout, 5xx); false for refused credentials or bad settings.
    public var isRetryable: Bool

    /// Creates an error.
    public init(path subject: String, _ message: String, retryable: Bool = false) {
        self.subject = subject
        self.message = message
        self.isRetryable = retryable
    }

    public var description: String { "\(subject): \(message)" }
}
