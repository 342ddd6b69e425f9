/// How an informer cache holds its objects.
public enum InformerStorage: Sendable {
    /// As decoded values: reads cost nothing.
    case values
    /// As zlib-deflated JSON, decoded on every read: a fraction of the memory, for large objects read rarely,
    /// such as CronJobs with their pod templates (read once per reconcile of their policy). An object whose
    /// JSON does not read back the same is kept as a value instead.
    case deflatedJSON
}
