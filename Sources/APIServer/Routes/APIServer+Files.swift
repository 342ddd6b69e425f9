import Catalog
import Hummingbird

extension APIServer {
    /// `/files`: catalog search by policy, run, path text, SHA-256 prefix, kind and time.
    func addFileRoutes(to router: Router<APIRequestContext>) {
        router.get("/files") { request, _ -> Page<FileRecord> in
            let query = try QueryReader(request, known: ["policy", "run", "q", "sha256", "kind", "since", "until", "limit", "cursor"])
            let limit = try query.limit()
            let sha = try query.string("sha256", maxLength: 64)
            if let sha, !sha.allSatisfy(\.isHexDigit) {
                throw APIError.badParameter("sha256", "'\(sha)' is not hexadecimal (give the digest or a prefix of it)")
            }
            let filter = FileSearch(
                policy: try query.string("policy", maxLength: 253), runId: try query.int("run", in: 1...Int64.max),
                path: try query.string("q", maxLength: 1024), sha256: sha,
                kind: try query.choice("kind", ["stored", "duplicate"]).flatMap(FileKind.init(rawValue:)),
                since: try query.time("since"), until: try query.time("until"), beforeId: try query.cursor(), limit: limit + 1
            )
            let rows = try await catalog.read { try $0.searchFiles(filter) }
            return Page(fetched: rows, limit: limit, cursor: { $0.id })
        }
    }
}
