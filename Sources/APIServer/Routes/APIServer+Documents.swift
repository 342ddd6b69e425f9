import HTTPTypes
import Hummingbird

extension APIServer {
    /// `/` (the dashboard page) and `/openapi.yaml`: static documents served from the binary, no token needed
    /// (they hold no data; the page asks for a token before it calls the API).
    func addDocumentRoutes(to router: Router<APIRequestContext>) {
        router.get("/") { _, _ in
            Self.document(DashboardPage.html, type: "text/html; charset=utf-8", headers: [
                .contentSecurityPolicy: DashboardPage.contentSecurityPolicy, .xFrameOptions: "DENY",
            ])
        }
        router.get("/openapi.yaml") { _, _ in
            Self.document(OpenAPIDocument.yaml, type: "application/yaml; charset=utf-8")
        }
    }

    static func document(_ text: String, type: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
