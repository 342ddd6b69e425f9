/// The API's paths and their methods, for `405 Method Not Allowed` answers.
enum RouteTable {
    static let routes: [(segments: [String], methods: String)] = [
        (["healthz"], "GET"), (["readyz"], "GET"), ([], "GET"), (["openapi.yaml"], "GET"), (["status"], "GET"), (["runs"], "GET"),
        (["runs", "*"], "GET"), (["files"], "GET"), (["logs"], "GET"), (["compress"], "POST"), (["metrics"], "GET"), (["dashboard", "config"], "GET"),
    ]

    /// The methods a path accepts, or nil when no route has that path.
    static func allowedMethods(path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return routes.first { route in
            route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { $0 == "*" || $0 == $1 }
        }?.methods
    }
}
