import APIServer
import Logging
import Transport

/// Fetches the OIDC issuer's discovery document and JWKS with the `Transport` HTTP client
/// (libcurl, TLS verified): 10 s timeout, 1 MiB at most, two attempts on network faults and 5xx.
struct IssuerFetcher: HTTPGetter {
    let client: HTTPClient

    init(logger: Logger) {
        client = HTTPClient(logger: logger)
    }

    func get(_ url: String) async throws -> HTTPGetResponse {
        let request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")], timeout: 10, maxResponseBytes: 1 << 20)
        let response = try await client.send(request, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.5, maxDelay: 2))
        return HTTPGetResponse(status: response.status, body: response.body)
    }
}
