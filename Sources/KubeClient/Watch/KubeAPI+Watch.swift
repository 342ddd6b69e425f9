import Foundation
import Transport

extension KubeAPI {
    /// Watches a collection: an `AsyncThrowingStream` of changes decoded as they arrive.
    ///
    /// The stream finishes normally when the server ends the watch (`timeoutSeconds`) or the client deadline
    /// passes; it throws a `KubeError` on a non-2xx answer, an `ERROR` event (`.expired` for 410: list again),
    /// or a dropped connection (`.transport`: watch again from the last resource version seen). Ending the
    /// consuming loop or cancelling its task aborts the transfer.
    public func watch<T: Decodable & Sendable>(
        _ type: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions(), as: T.Type
    ) -> AsyncThrowingStream<WatchEvent<T>, Error> {
        var path = ResourcePath(type, namespace: self.namespace(for: type, namespace))
        options.apply(to: &path)
        let url = path
        let deadline = options.effectiveDeadline
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.runWatch(path: url, deadline: deadline, continuation: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Watches a `KubeResource` collection (see `watch(_:namespace:options:as:)`).
    public func watch<R: KubeResource>(_ type: R.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<WatchEvent<R>, Error> {
        watch(R.resourceType, namespace: namespace, options: options, as: R.self)
    }

    private func runWatch<T>(path: ResourcePath, deadline: Double?, continuation: AsyncThrowingStream<WatchEvent<T>, Error>.Continuation) async throws {
        let make = { try self.prepare(method: "GET", path: path, timeout: deadline, streaming: true) }
        var decoder: WatchDecoder<T>?
        let response: HTTPResponse
        let prepared: Prepared
        do {
            (response, prepared) = try await withFreshCredentialOn401(try make(), again: make) { attempt in
                let fresh = WatchDecoder<T>(endpoint: attempt.request.endpoint)
                decoder = fresh
                return try await attempt.client.stream(attempt.request) { bytes in
                    do {
                        for event in try fresh.feed(bytes) {
                            if case .terminated = continuation.yield(event) { return false }
                        }
                        return true
                    } catch {
                        fresh.failure = error
                        return false
                    }
                }
            }
        } catch let error as TransportError {
            // The client deadline and the consumer going away end the watch normally.
            if error.kind == .timeout, deadline != nil { return }
            if error.kind == .cancelled { return }
            throw KubeError.fromTransport(error, origin: config.origin)
        }
        guard let decoder else { return }
        if let failure = decoder.failure { throw failure }
        guard response.isSuccess else { throw failure(response, prepared.request) }
        for event in try decoder.finish() { continuation.yield(event) }
    }
}
