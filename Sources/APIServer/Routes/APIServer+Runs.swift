import Catalog
import Hummingbird
import PyBakCore

extension APIServer {
    /// `/runs` (newest first, filters, cursor) and `/runs/{id}` (the report).
    func addRunRoutes(to router: Router<APIRequestContext>) {
        router.get("/runs") { request, _ -> Page<RunRecord> in
            let query = try QueryReader(request, known: ["policy", "status", "since", "until", "limit", "cursor"])
            let limit = try query.limit()
            let status = try query.choice("status", ["running", "succeeded", "partial", "failed"]).flatMap(RunStatus.init(rawValue:))
            let filter = RunQuery(
                policy: try query.string("policy", maxLength: 253), status: status, since: try query.time("since"), until: try query.time("until"),
                beforeId: try query.cursor(), limit: limit + 1
            )
            let rows = try await catalog.read { try $0.runs(filter) }
            return Page(fetched: rows, limit: limit, cursor: { $0.id })
        }
        router.get("/runs/:id") { _, context -> RunReport in
            guard let id = context.parameters.get("id", as: Int64.self), id > 0 else {
                throw APIError.badParameter("id", "'\(context.parameters.get("id") ?? "")' is not a run id (a positive integer)")
            }
            let limit = RunReport.fileLimit
            let found = try await catalog.read { catalog -> (RunRecord, [FileRecord], [RunProblem])? in
                guard let run = try catalog.run(id: id) else { return nil }
                return (run, try catalog.searchFiles(FileSearch(runId: id, limit: limit + 1)), try catalog.problems(runId: id))
            }
            guard let (run, files, problems) = found else { throw APIError.notFound("no run with id \(id)") }
            return RunReport(run: run, files: files, problems: problems)
        }
    }
}

/// The report of one run: the run row, its files (the first 1000; `/files?run=ID` pages through
/// all) and what it skipped or failed.
struct RunReport: ResponseEncodable {
    static let fileLimit = 1000

    var run: RunRecord
    var durationSeconds: Double?
    var ratio: Double?
    var files: [FileRecord]
    var filesTruncated: Bool
    var problems: [RunProblem]

    init(run: RunRecord, files: [FileRecord], problems: [RunProblem]) {
        self.run = run
        self.ratio = run.counts.ratio
        self.durationSeconds = run.finishedAt.flatMap { finished in
            guard let start = QueryReader.parseTime(run.startedAt), let end = QueryReader.parseTime(finished) else { return nil }
            return max(0, end - start)
        }
        self.filesTruncated = files.count > Self.fileLimit
        self.files = Array(files.prefix(Self.fileLimit))
        self.problems = problems
    }
}
