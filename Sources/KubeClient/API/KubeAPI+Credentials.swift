import Foundation
import Transport

extension KubeAPI {
    /// A request ready to send: the credentials of the moment, and the client carrying its TLS identity.
    struct Prepared {
        var request: HTTPRequest
        var client: HTTPClient
        /// The plugin's credential it carries, to forget when the server answers 401.
        var credential: ExecCredential.Status?
    }

    /// Builds a request with the credentials of the moment: a rotated token file is read again, and a credential
    /// plugin is run when its last answer expired or was refused.
    func prepare(method: String, path: ResourcePath, body: [UInt8]? = nil, contentType: String? = nil, timeout: Double?, streaming: Bool = false) throws -> Prepared {
        var headers: [(name: String, value: String)] = [(name: "Accept", value: "application/json")]
        var client = streaming ? streamHTTP : http
        var credential: ExecCredential.Status?
        let endpoint = "\(method) \(path.url(server: config.server).split(separator: "?", maxSplits: 1)[0])"
        if let plugin = config.exec {
            let status: ExecCredential.Status
            do {
                status = try plugin.credential()
            } catch {
                throw KubeError(code: .unauthorized, endpoint: endpoint, detail: "\(error)")
            }
            credential = status
            if let token = status.token, !token.isEmpty { headers.append((name: "Authorization", value: "Bearer \(token)")) }
            if let certificate = status.clientCertificateData, let key = status.clientKeyData, !certificate.isEmpty {
                var options = client.options
                options.clientCertificateFile = nil
                options.clientKeyFile = nil
                options.clientCertificatePEM = Array(certificate.utf8)
                options.clientKeyPEM = Array(key.utf8)
                client = HTTPClient(options: options, logger: logger)
            }
        } else if let token = config.token {
            do {
                headers.append((name: "Authorization", value: "Bearer \(try token.current())"))
            } catch {
                throw KubeError(code: .unauthorized, endpoint: endpoint, detail: "\(error)")
            }
        }
        if let contentType { headers.append((name: "Content-Type", value: contentType)) }
        let request = HTTPRequest(method: method, url: path.url(server: config.server), headers: headers, body: body.map { .bytes($0) } ?? .none, timeout: timeout)
        return Prepared(request: request, client: client, credential: credential)
    }

    /// Sends `prepared` through `send`; when the server answers 401 to a credential plugin's credential, forgets it
    /// and sends once more with a fresh one (the plugin runs again), as kubectl does.
    func withFreshCredentialOn401(
        _ prepared: Prepared, again: () throws -> Prepared, send: (Prepared) async throws -> HTTPResponse
    ) async throws -> (HTTPResponse, Prepared) {
        let response = try await send(prepared)
        guard response.status == 401, let plugin = config.exec, let used = prepared.credential else { return (response, prepared) }
        logger.notice("the API server refused the credential plugin's credential; running the plugin again", metadata: [
            "kube.endpoint": "\(prepared.request.endpoint)", "exec.command": "\(plugin.settings.command)",
        ])
        plugin.invalidate(used)
        let retried = try again()
        return (try await send(retried), retried)
    }

    /// The error for a non-2xx answer; a 401 names the credentials that were refused and where they came from.
    func failure(_ response: HTTPResponse, _ request: HTTPRequest) -> KubeError {
        var error = KubeError.fromResponse(httpStatus: response.status, body: response.body, retryAfterHeader: response.header("retry-after"), endpoint: request.endpoint)
        if error.code == .unauthorized { error.credentials = config.credentialSummary }
        return error
    }
}
