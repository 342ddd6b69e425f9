import Foundation
import Logging
import ServiceLifecycle

/// Keeps a local cache of a collection in step with the server and hands every change to a handler:
/// list, then watch from the list's resource version; resume from the last version seen when a watch ends or
/// drops; list again (resource version unset) on 410 Expired; back off (capped, exponential, jittered) after
/// failures — never a hot loop — and start the backoff afresh after a successful list or a watch that worked.
///
/// A swift-service-lifecycle `Service`: `run()` returns on graceful shutdown or cancellation.
public final class Informer<Object: KubeResource>: Service, Sendable {
    /// The local copy.
    public let cache: InformerCache<Object>
    private let api: KubeAPI
    private let namespace: String?
    private let labelSelector: String?
    private let fieldSelector: String?
    private let settings: InformerSettings
    private let logger: Logger
    private let handler: @Sendable (InformerEvent<Object>) async -> Void

    /// Creates an informer.
    /// - Parameters:
    ///   - api: the client.
    ///   - namespace: the namespace to follow; `KubeAPI.allNamespaces` for all, nil for the configuration's default.
    ///   - labelSelector: only objects matching it.
    ///   - fieldSelector: only objects matching it.
    ///   - settings: watch length and backoff.
    ///   - logger: where reconnects are reported.
    ///   - transform: applied to each object before the cache keeps it and the handler sees it, e.g.
    ///     `.strippingManagedFields`, so the cache holds only what is read.
    ///   - storage: how the cache holds objects (`.deflatedJSON` for large objects read rarely).
    ///   - handler: called with each change, in order, after the cache has it.
    public init(
        api: KubeAPI, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        settings: InformerSettings = InformerSettings(), logger: Logger = Logger(label: "pybak.informer"),
        transform: InformerTransform<Object>? = nil, storage: InformerStorage = .values,
        handler: @escaping @Sendable (InformerEvent<Object>) async -> Void = { _ in }
    ) {
        self.cache = InformerCache<Object>(transform: transform, storage: storage)
        self.api = api
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.settings = settings
        self.logger = logger
        self.handler = handler
    }

    /// Runs until cancelled or, in a `ServiceGroup`, until graceful shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {
            return
        }
    }

    private func loop() async throws {
        var resourceVersion: String?
        var backoff = InformerBackoff(minimumHealthyWatch: settings.minimumHealthyWatch)
        let kind = Object.kind
        while !Task.isCancelled {
            var retryAfter: Double?
            var listed = false
            var watchStarted: ContinuousClock.Instant?
            var delivered = false
            func watchSoFar() -> InformerBackoff.Watch? {
                watchStarted.map { InformerBackoff.Watch(afterList: listed, delivered: delivered, lasted: ContinuousClock.now - $0) }
            }
            do {
                if resourceVersion == nil {
                    let list = try await api.listAll(
                        Object.self, namespace: namespace, options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: settings.pageSize))
                    for event in await cache.replace(with: list.items) { await handler(event) }
                    resourceVersion = list.metadata.resourceVersion
                    listed = true
                    backoff.listed()
                    logger.debug("informer listed", metadata: ["kube.kind": "\(kind)", "kube.count": "\(list.items.count)", "kube.resourceVersion": "\(resourceVersion ?? "")"])
                }
                watchStarted = ContinuousClock.now
                let options = WatchOptions(
                    resourceVersion: resourceVersion, labelSelector: labelSelector, fieldSelector: fieldSelector,
                    timeoutSeconds: settings.watchTimeoutSeconds, allowBookmarks: true)
                for try await event in api.watch(Object.self, namespace: namespace, options: options) {
                    delivered = true
                    if case .bookmark(let version) = event {
                        if !version.isEmpty { resourceVersion = version }
                        continue
                    }
                    if let version = event.object?.metadata.resourceVersion { resourceVersion = version }
                    if let change = await cache.apply(event) { await handler(change) }
                }
                if let ended = watchSoFar(), backoff.watchEnded(ended) { continue }
                logger.debug("informer watch ended early and empty", metadata: ["kube.kind": "\(kind)", "retry.failures": "\(backoff.failures)"])
            } catch let error as KubeError where error.code == .expired {
                backoff.failed(watchSoFar(), expired: true)
                resourceVersion = nil
                logger.info("informer watch expired; relisting", metadata: ["kube.kind": "\(kind)", "retry.failures": "\(backoff.failures)"])
            } catch let error as KubeError {
                backoff.failed(watchSoFar(), expired: false)
                retryAfter = error.retryAfter
                logger.warning("informer watch failed; reconnecting", metadata: ["kube.kind": "\(kind)", "retry.failures": "\(backoff.failures)", "error": "\(error)"])
            }
            if Task.isCancelled { break }
            let wait = settings.delay(afterFailures: backoff.failures, retryAfter: retryAfter, random: Double.random(in: 0..<1))
            try await Task.sleep(for: .seconds(wait))
        }
    }
}
