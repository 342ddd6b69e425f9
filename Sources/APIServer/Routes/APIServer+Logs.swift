import Catalog
import Foundation
import HTTPTypes
import Hummingbird

extension APIServer {
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// `/logs`: filters, cursor pages, and `follow=true` as server-sent events.
    func addLogRoutes(to router: Router<APIRequestContext>) {
        router.get("/logs") { request, _ -> Response in
            let query = try QueryReader(request, known: ["policy", "run", "level", "q", "since", "until", "order", "follow", "limit", "cursor"])
            let limit = try query.limit()
            let filter = LogQuery(
                policy: try query.string("policy", maxLength: 253), runId: try query.int("run", in: 1...Int64.max),
                minimumLevel: try query.choice("level", Self.logLevels), since: try query.time("since"), until: try query.time("until"),
                limit: limit + 1, text: try query.string("q", maxLength: 256), afterId: try query.cursor(),
                newestFirst: try query.choice("order", ["asc", "desc"]) == "desc"
            )
            let lastEventID = try request.headers[.lastEventID].map { header in
                guard (1...18).contains(header.utf8.count), header.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int64(header) else {
                    throw APIError.badParameter("Last-Event-ID", "'\(header)' is not an event id this API sent")
                }
                return id
            }
            if try query.bool("follow") == true {
                return try await followResponse(lastEventID: lastEventID, filter: filter, limit: limit)
            }
            let page = filter
            let rows = try await catalog.read { try $0.logs(page) }
            return try encodeJSON(LogPage(Page(fetched: rows, limit: limit, cursor: { $0.id })), status: .ok)
        }
    }

    /// Starts a stream: the newest `limit` lines (or those after `Last-Event-ID` / `cursor`), then new ones as they come.
    private func followResponse(lastEventID: Int64?, filter: LogQuery, limit: Int) async throws -> Response {
        var start = filter
        start.limit = limit
        if let id = lastEventID {
            start.afterId = id
            start.newestFirst = false
        } else if start.afterId == nil {
            // Tail: the newest lines, sent oldest first.
            start.newestFirst = true
        }
        let stream = LogStream(
            catalog: catalog, filter: start, pollSeconds: configuration.followPollSeconds, maxSeconds: configuration.followMaxSeconds
        )
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(to: &writer) })
    }
}

/// A page of log lines; `metadata` is the JSON object the line carried.
struct LogPage: Encodable {
    var items: [LogLine]
    var nextCursor: String?

    init(_ page: Page<LogRecord>) {
        items = page.items.map(LogLine.init)
        nextCursor = page.nextCursor
    }
}

/// A log line as the API shows it: metadata as an object, not a string.
struct LogLine: Encodable {
    var id: Int64?
    var time: String
    var level: String
    var runId: Int64?
    var policy: String?
    var message: String
    var metadata: [String: String]

    init(_ record: LogRecord) {
        id = record.id
        time = record.time
        level = record.level
        runId = record.runId
        policy = record.policy
        message = record.message
        metadata = (try? JSONDecoder().decode([String: String].self, from: Data(record.metadata.utf8))) ?? ["text": record.metadata]
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
