/// How the controller's deployment wants worker Pods made: which image, and where the database URL is.
public struct WorkerTemplate: Sendable, Equatable {
    /// The worker image (the controller's own image).
    public var image: String
    /// `IfNotPresent`, `Always`, `Never`; nil leaves the cluster's default.
    public var imagePullPolicy: String?
    /// A Secret (in each policy's namespace) whose key holds the PostgreSQL URL; nil keeps the
    /// worker's SQLite catalog in the destination volume.
    public var databaseSecret: (name: String, key: String)?
    /// The worker's stderr log level.
    public var logLevel: String?

    /// The image used when the deployment names none.
    public static let defaultImage = "ghcr.io/pybak/pybak:latest"

    /// Creates a template.
    public init(image: String = WorkerTemplate.defaultImage, imagePullPolicy: String? = nil, databaseSecret: (name: String, key: String)? = nil, logLevel: String? = nil) {
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.databaseSecret = databaseSecret
        self.logLevel = logLevel
    }

    public static func == (lhs: WorkerTemplate, rhs: WorkerTemplate) -> Bool {
        lhs.image == rhs.image && lhs.imagePullPolicy == rhs.imagePullPolicy && lhs.databaseSecret?.name == rhs.databaseSecret?.name
            && lhs.databaseSecret?.key == rhs.databaseSecret?.key && lhs.logLevel == rhs.logLevel
    }
}
