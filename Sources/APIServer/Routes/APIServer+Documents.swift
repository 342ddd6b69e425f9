import HTTPTypes
import Hummingbird

extension APIServer {
    /// `/` (the dashboard page) and `/openapi.yaml`: static documents served from the binary, no token needed
    /// (they hold no data; the page asks for a token before it calls the API).
    func addDocumentRoutes(to router: Router<APIRequestContext>) {
        router.get("/") { _, _ in
            // The page may also call the issuer's token endpoint (sign-in), and nothing else.
            let login = await dashboardLogin()
            return Self.document(DashboardPage.html, type: "text/html; charset=utf-8", headers: [
                .contentSecurityPolicy: DashboardPage.contentSecurityPolicy(tokenEndpoint: login.oidc?.tokenEndpoint), .xFrameOptions: "DENY",
                .referrerPolicy: "no-referrer",
            ])
        }
        router.get("/dashboard/config") { _, _ -> Response in
            var response = try encodeJSON(await dashboardLogin(), status: .ok)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get("/openapi.yaml") { _, _ in
            Self.document(OpenAPIDocument.yaml, type: "application/yaml; charset=utf-8")
        }
    }

    /// What the dashboard needs to sign in: whether tokens are needed and, with `--oidc-client-id`, the issuer's endpoints.
    func dashboardLogin() async -> DashboardLogin {
        guard let authenticator else { return DashboardLogin(auth: false, oidc: nil, problem: nil) }
        guard let clientId = configuration.dashboardClientId else {
            return DashboardLogin(auth: true, oidc: nil, problem: nil)
        }
        guard let settings = await authenticator.loginSettings(), let endpoints = settings.endpoints else {
            return DashboardLogin(auth: true, oidc: nil, problem: "the issuer \(authenticator.issuer) cannot be reached or names no authorization and token endpoints; paste a token")
        }
        return DashboardLogin(auth: true, oidc: .init(
            issuer: authenticator.issuer, authorizationEndpoint: endpoints.authorization, tokenEndpoint: endpoints.token, clientId: clientId,
            audience: settings.audience, scope: configuration.dashboardScope), problem: nil)
    }

    static func document(_ text: String, type: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// `GET /dashboard/config`: how the dashboard signs in.
struct DashboardLogin: ResponseEncodable, Sendable {
    /// Whether the API needs a token.
    var auth: Bool
    /// The issuer's sign-in settings (authorization code + PKCE), when configured and reachable.
    var oidc: OIDC?
    /// Why sign-in through the issuer is not offered although configured.
    var problem: String?

    struct OIDC: Codable, Sendable {
        var issuer: String
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var clientId: String
        var audience: String
        var scope: String
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
