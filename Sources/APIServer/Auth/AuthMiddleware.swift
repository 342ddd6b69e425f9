import Foundation
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer <JWT>` with `pybak.read` (GET, HEAD) or `pybak.trigger` (anything else).
///
/// 401 with `WWW-Authenticate: Bearer ...` when the token is missing or invalid (RFC 6750), 403 when
/// it lacks the scope, 503 when the issuer's keys cannot be fetched. With no authenticator (loopback
/// only) every caller is `Principal.anonymous`.
struct AuthMiddleware: RouterMiddleware {
    let authenticator: (any BearerAuthenticator)?

    func handle(_ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        guard let authenticator else {
            context.principal = .anonymous
            return try await next(request, context)
        }
        let scope = request.method == .get || request.method == .head ? APIScope.read : APIScope.trigger
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <access token>", headers: [.wwwAuthenticate: Self.challenge(nil, scope: scope)])
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, code: "unauthorized", "the Authorization header must be 'Bearer <access token>'", headers: [
                .wwwAuthenticate: Self.challenge(("invalid_request", "expected a Bearer token"), scope: scope)
            ])
        }
        let principal: Principal
        do {
            principal = try await authenticator.authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces))
        } catch {
            switch error {
            case .invalidToken(let reason):
                throw APIError(.unauthorized, code: "invalid_token", reason, headers: [.wwwAuthenticate: Self.challenge(("invalid_token", reason), scope: scope)])
            case .keysUnavailable(let reason):
                throw APIError(.serviceUnavailable, code: "keys_unavailable", reason, headers: [.retryAfter: "5"])
            }
        }
        guard principal.scopes.contains(scope) else {
            throw APIError(.forbidden, code: "insufficient_scope", "this request needs the scope \(scope); the token has \(principal.scopes.sorted().joined(separator: " "))", headers: [
                .wwwAuthenticate: Self.challenge(("insufficient_scope", "needs \(scope)"), scope: scope)
            ])
        }
        context.principal = principal
        return try await next(request, context)
    }

    /// `Bearer realm="pybak", error="...", error_description="...", scope="..."`.
    static func challenge(_ error: (code: String, description: String)?, scope: String) -> String {
        var parts = ["realm=\"pybak\""]
        if let error {
            parts.append("error=\"\(error.code)\"")
            let safe = String(error.description.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }.map(Character.init))
            parts.append("error_description=\"\(safe)\"")
        }
        parts.append("scope=\"\(scope)\"")
        return "Bearer " + parts.joined(separator: ", ")
    }
}
