import KubeClient

/// `events.k8s.io/v1` `Event`: what `kubectl describe` and `kubectl events` show about an object.
public struct Event: KubeResource, Equatable {
    public static let group = "events.k8s.io"
    public static let version = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// MicroTime of when it happened.
    public var eventTime: String
    /// The controller that reported it (`pybak.io/controller`).
    public var reportingController: String
    /// The replica that reported it.
    public var reportingInstance: String
    /// What was done or attempted (`Create`, `Update`, `Reconcile`).
    public var action: String
    /// CamelCase (`CronJobCreated`, `InvalidSpec`, ...).
    public var reason: String
    /// `Normal` or `Warning`.
    public var type: String
    /// The sentence.
    public var note: String?
    /// The object it is about.
    public var regarding: ObjectReference
    /// A second object involved (the CronJob).
    public var related: ObjectReference?

    /// Creates an event.
    public init(
        metadata: ObjectMeta, eventTime: String, reportingController: String, reportingInstance: String, action: String, reason: String,
        type: String, note: String?, regarding: ObjectReference, related: ObjectReference? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.eventTime = eventTime
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.type = type
        self.note = note
        self.regarding = regarding
        self.related = related
    }
}
