import APIServer
import CCurl
import Foundation

/// Fetches the OIDC issuer's discovery document and JWKS over libcurl (TLS verified, 10 s timeout,
/// 1 MiB at most, no redirects to other schemes).
///
/// Temporary: to be replaced by the `Transport` module's HTTP client once it is on main.
struct IssuerFetcher: HTTPGetter {
    static let initialized: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    func get(_ url: String) async throws -> HTTPGetResponse {
        _ = Self.initialized
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try Self.fetch(url) }) }
            thread.start()
        }
    }

    private final class Sink {
        var body: [UInt8] = []
        var overflow = false
    }

    private static func fetch(_ url: String) throws -> HTTPGetResponse {
        guard let handle = curl_easy_init() else { throw OIDCTransportError("libcurl could not start a request to \(url)") }
        defer { curl_easy_cleanup(handle) }
        let sink = Sink()
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        _ = CCurl_setopt_string(handle, CURLOPT_URL, url)
        _ = CCurl_setopt_long(handle, CURLOPT_TIMEOUT, 10)
        _ = CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 5)
        _ = CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = CCurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        _ = CCurl_setopt_long(handle, CURLOPT_MAXREDIRS, 3)
        _ = CCurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "https,http")
        _ = CCurl_setopt_string(handle, CURLOPT_USERAGENT, "pybak")
        _ = CCurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        _ = CCurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, pointer in
            let sink = Unmanaged<Sink>.fromOpaque(pointer!).takeUnretainedValue()
            let length = size * count
            guard sink.body.count + length <= 1 << 20 else {
                sink.overflow = true
                return 0
            }
            buffer.map { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
            return length
        }
        let code = curl_easy_perform(handle)
        if sink.overflow { throw OIDCTransportError("GET \(url) answered more than 1 MiB") }
        guard code == CURLE_OK else {
            throw OIDCTransportError("GET \(url) failed: \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPGetResponse(status: status, body: sink.body)
    }
}

/// A fetch from the issuer that got no answer.
struct OIDCTransportError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
