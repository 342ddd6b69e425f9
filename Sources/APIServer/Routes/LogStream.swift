import Catalog
import Foundation
import Hummingbird

/// A `text/event-stream` of log lines: `id:` is the line's id, `data:` its JSON. Ends after
/// `maxSeconds` (EventSource reconnects with `Last-Event-ID`) or when the client goes away.
struct LogStream: Sendable {
    let catalog: CatalogPool
    let filter: LogQuery
    let pollSeconds: Double
    let maxSeconds: Double

    func write(to writer: inout any ResponseBodyWriter) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(maxSeconds))
        var query = filter
        var lastId: Int64? = filter.afterId
        var quietSince = ContinuousClock.now
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        var first = true
        while ContinuousClock.now < deadline && !Task.isCancelled {
            var rows = try await catalog.read { [query] in try $0.logs(query) }
            if query.newestFirst { rows.reverse() }
            if first && query.newestFirst {
                // The tail was read newest first; from here on, read forward from its newest line.
                if let newest = rows.last?.id {
                    lastId = newest
                } else {
                    lastId = try await newestId()
                }
            }
            if !rows.isEmpty {
                var text = ""
                for row in rows {
                    text += "id: \(row.id ?? 0)\nevent: log\ndata: \(Self.json(row))\n\n"
                    lastId = row.id ?? lastId
                }
                try await writer.write(ByteBuffer(string: text))
                quietSince = ContinuousClock.now
            } else if ContinuousClock.now - quietSince > .seconds(15) {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                quietSince = ContinuousClock.now
            }
            query.newestFirst = false
            query.afterId = lastId ?? 0
            query.limit = 500
            first = false
            let left = deadline - ContinuousClock.now
            try await Task.sleep(for: min(.seconds(pollSeconds), max(.zero, left)))
        }
        try await writer.finish(nil)
    }

    /// The id of the newest line matching nothing in particular, so a tail of an empty filter starts "now".
    private func newestId() async throws -> Int64 {
        let query = LogQuery(limit: 1, newestFirst: true)
        return try await catalog.read { try $0.logs(query).first?.id } ?? 0
    }

    static func json(_ record: LogRecord) -> String {
        let data = (try? JSONEncoder().encode(LogLine(record))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
