import Hummingbird

/// The per-request context: Hummingbird's core storage plus who is calling.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller once the bearer token is verified (or the anonymous caller when auth is off).
    public var principal: Principal?

    /// Creates the context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Request bodies are small JSON documents: 64 KiB at most.
    public var maxUploadSize: Int { 64 * 1024 }
}
