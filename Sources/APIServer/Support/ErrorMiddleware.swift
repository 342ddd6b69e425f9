import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into a JSON `APIError` response; unexpected errors become a 500 that
/// names the request id, while the details go to the log only.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            // The router's own 404: a known path asked with another method is a 405 with Allow.
            if let allowed = RouteTable.allowedMethods(path: request.uri.path) {
                return try APIError(
                    .methodNotAllowed, code: "method_not_allowed", "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowed)",
                    headers: [.allow: allowed]
                ).response(from: request, context: context)
            }
            return try APIError(.notFound, code: "not_found", Self.message(for: .notFound, path: request.uri.path)).response(from: request, context: context)
        } catch let error as HTTPError {
            let code = Self.code(for: error.status)
            let message = error.body ?? Self.message(for: error.status, path: request.uri.path)
            return try APIError(error.status, code: code, message, headers: error.headers).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try APIError(error.status, code: Self.code(for: error.status), Self.message(for: error.status, path: request.uri.path))
                .response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "reason": "\(error)"])
            return try APIError(.internalServerError, code: "internal", "the server could not answer; the log has the details (request \(context.id))")
                .response(from: request, context: context)
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 409: return "conflict"
        case 413: return "payload_too_large"
        case 415: return "unsupported_media_type"
        case 429: return "rate_limited"
        default: return status.code >= 500 ? "internal" : "error"
        }
    }

    static func message(for status: HTTPResponse.Status, path: String) -> String {
        switch status.code {
        case 404: return "no such endpoint: \(path); see /openapi.yaml"
        case 413: return "the request body is too large"
        default: return status.reasonPhrase
        }
    }
}
