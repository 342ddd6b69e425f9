import Foundation
import Logging
import Transport

/// A Kubernetes API client over libcurl: typed and untyped get, list, create, update, patch, delete and watch for
/// any resource by group, version, plural and namespace.
///
/// Reads (get, list) are retried per `readRetry` on 429, 5xx and network faults, honouring `Retry-After`;
/// writes are sent once and every failure reaches the caller as a `KubeError`.
public final class KubeAPI: Sendable {
    /// Pass as a namespace to list or watch across all namespaces.
    public static let allNamespaces = ""

    /// Where the server is and how to authenticate.
    public let config: KubeClientConfig
    /// How reads are repeated.
    public let readRetry: RetryPolicy
    /// Seconds allowed for one non-watch request.
    public let requestTimeout: Double
    let http: HTTPClient
    let streamHTTP: HTTPClient
    let logger: Logger

    /// Creates a client.
    /// - Parameters:
    ///   - config: the server, TLS settings and credentials.
    ///   - readRetry: retries for get and list (default: 5 attempts, 0.5 s doubling to 30 s).
    ///   - requestTimeout: seconds allowed for one request other than a watch.
    ///   - logger: where retries are reported.
    public init(config: KubeClientConfig, readRetry: RetryPolicy = .standard, requestTimeout: Double = 60, logger: Logger = Logger(label: "pybak.kube")) {
        self.config = config
        self.readRetry = readRetry
        self.requestTimeout = requestTimeout
        self.logger = logger
        var options = config.transport
        if options.userAgent == "pybak" { options.userAgent = "pybak-kubeclient" }
        http = HTTPClient(options: options, logger: logger)
        // A watch may be idle for minutes; its end is bounded by timeoutSeconds and the client deadline instead.
        options.stallTimeout = nil
        streamHTTP = HTTPClient(options: options, logger: logger)
    }

    /// The namespace a call uses: nil for cluster-scoped types, else the given one or the configuration's default.
    func namespace(for type: ResourceType, _ explicit: String?) -> String? {
        guard type.isNamespaced else { return nil }
        return explicit ?? config.namespace
    }

    /// Sends one request and returns the 2xx body, or throws the answer as a `KubeError`.
    func call(_ method: String, _ path: ResourcePath, body: [UInt8]? = nil, contentType: String? = nil) async throws -> [UInt8] {
        let retry = method == "GET" ? readRetry : .none
        let make = { try self.prepare(method: method, path: path, body: body, contentType: contentType, timeout: self.requestTimeout) }
        let (response, prepared): (HTTPResponse, Prepared)
        do {
            (response, prepared) = try await withFreshCredentialOn401(try make(), again: make) { try await $0.client.send($0.request, retry: retry) }
        } catch let error as TransportError {
            throw KubeError.fromTransport(error, origin: config.origin)
        }
        guard response.isSuccess else { throw failure(response, prepared.request) }
        return response.body
    }

    /// Decodes a 2xx body, naming the request when it is not the JSON expected.
    func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], endpoint: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw KubeError(code: .decoding, endpoint: endpoint, detail: "cannot decode the answer as \(T.self): \(error)")
        }
    }

    /// Encodes a request body.
    func encode<T: Encodable>(_ value: T, endpoint: String) throws -> [UInt8] {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return [UInt8](try encoder.encode(value))
        } catch {
            throw KubeError(code: .decoding, endpoint: endpoint, detail: "cannot encode the request body: \(error)")
        }
    }
}
