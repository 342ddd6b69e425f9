import Hummingbird

extension APIServer {
    /// `/healthz` (the process answers) and `/readyz` (the catalog answers a query).
    func addHealthRoutes(to router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in
            HealthBody(status: "ok", detail: nil)
        }
        router.get("/readyz") { _, _ -> Response in
            do {
                _ = try await catalog.read { try $0.lastRun(policy: nil) }
                return try encodeJSON(HealthBody(status: "ready", detail: nil), status: .ok)
            } catch {
                return try encodeJSON(HealthBody(status: "unavailable", detail: "the catalog does not answer: \(error)"), status: .serviceUnavailable)
            }
        }
    }
}

struct HealthBody: ResponseEncodable {
    var status: String
    var detail: String?
}
