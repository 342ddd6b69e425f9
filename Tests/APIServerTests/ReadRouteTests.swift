import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import APIServer

@Suite struct ReadRouteTests {
    @Test func healthAndReadiness() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok && $0.json["status"] as? String == "ok") }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok && $0.json["status"] as? String == "ready") }
        }
    }

    @Test func readinessFailsWhenTheCatalogCannotBeOpened() async throws {
        let server = try APIServer(
            configuration: APIConfiguration(address: ListenAddress(host: "127.0.0.1", port: 0)),
            catalog: CatalogPool { throw APIConfigurationError("no database") }, authenticator: nil, trigger: nil, statusSource: nil,
            logger: .init(label: "t")
        )
        try await Application(router: server.router()).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((response.json["detail"] as? String)?.contains("no database") == true)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func runsAreNewestFirstAndPaginate() async throws {
        try await TestServer().test { client in
            let cursor = try await client.execute(uri: "/runs?limit=2", method: .get) { response -> String in
                #expect(response.status == .ok)
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["id"] as? Int } == [4, 3])
                return response.json["nextCursor"] as? String ?? ""
            }
            try await client.execute(uri: "/runs?limit=2&cursor=\(cursor)", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["id"] as? Int } == [2, 1])
                #expect(response.json["nextCursor"] == nil || response.json["nextCursor"] is NSNull)
            }
            try await client.execute(uri: "/runs?policy=invoices&status=succeeded", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["id"] as? Int } == [1])
            }
            try await client.execute(uri: "/runs?since=2026-11-27T00:00:00Z", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["id"] as? Int } == [4, 3, 2])
            }
        }
    }

    @Test func aRunReportHasItsFilesAndProblems() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/runs/2", method: .get) { response in
                #expect(response.status == .ok)
                let json = response.json
                #expect((json["run"] as? [String: Any])?["status"] as? String == "partial")
                #expect((json["files"] as? [[String: Any]])?.compactMap { $0["sourcePath"] as? String } == ["b/mar.csv"])
                #expect((json["problems"] as? [[String: Any]])?.first?["reason"] as? String == "permission denied")
                #expect(json["ratio"] as? Double == 4)
                #expect(json["filesTruncated"] as? Bool == false)
            }
            try await client.execute(uri: "/runs/1", method: .get) { #expect($0.json["durationSeconds"] as? Double == 2.5) }
            try await client.execute(uri: "/runs/999", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((response.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            }
            try await client.execute(uri: "/runs/abc", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test func filesSearchByPathTextLiterallyAndByDigestPrefix() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/files?q=100%25", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["sourcePath"] as? String } == ["a/feb_100%.csv"])
            }
            try await client.execute(uri: "/files?q=_", method: .get) { response in
                // `_` is literal, not a wildcard: only the name with an underscore (all destinations have one too).
                #expect((response.json["items"] as? [[String: Any]])?.count == 3)
            }
            try await client.execute(uri: "/files?sha256=CC", method: .get) { response in
                #expect((response.json["items"] as? [[String: Any]])?.compactMap { $0["sha256"] as? String } == ["cc33"])
            }
            try await client.execute(uri: "/files?run=1&limit=1", method: .get) { response in
                #expect((response.json["items"] as? [[String: Any]])?.count == 1)
                #expect(response.json["nextCursor"] is String)
            }
            try await client.execute(uri: "/files?sha256=xyz", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test func logsFilterByLevelRunTextAndTime() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/logs?level=error", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["level"] as? String } == ["error", "error"])
            }
            try await client.execute(uri: "/logs?q=NEARLY", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["message"] as? String } == ["disk nearly full"])
                #expect((items.first?["metadata"] as? [String: String])?["file.path"] == "f7")
            }
            try await client.execute(uri: "/logs?policy=photos", method: .get) { response in
                #expect((response.json["items"] as? [[String: Any]])?.count == 2)
            }
            try await client.execute(uri: "/logs?since=2026-11-27T04:00:03Z&until=2026-11-27T04:00:05Z", method: .get) { response in
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["message"] as? String } == ["line 3", "line 4"])
            }
            try await client.execute(uri: "/logs?level=loud", method: .get) { response in
                #expect(response.status == .badRequest)
                let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.hasPrefix("level:"))
            }
            try await client.execute(uri: "/logs?since=yesterday", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/logs?limit=0", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test func logsPaginateWithoutGapsOrRepeatsBothWays() async throws {
        try await TestServer().test { client in
            for order in ["asc", "desc"] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    let uri = "/logs?limit=3&order=\(order)" + (cursor.map { "&cursor=\($0)" } ?? "")
                    cursor = try await client.execute(uri: uri, method: .get) { response -> String? in
                        seen += (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
                        return response.json["nextCursor"] as? String
                    }
                } while cursor != nil
                let expected = (0..<10).map { $0 == 7 ? "disk nearly full" : "line \($0)" }
                #expect(seen == (order == "asc" ? expected : expected.reversed()))
            }
        }
    }

    @Test func followStreamsTheTailThenNewLinesAsServerSentEvents() async throws {
        // The stream stays open 4 s; the new line is written 0.5 s after the server is up (not before it starts,
        // so a slow start on a loaded machine cannot push the write past the end of the stream).
        let test = try TestServer(configure: { $0.followMaxSeconds = 4; $0.followPollSeconds = 0.2 })
        let seed = test.seed
        try await test.test { client in
            Task {
                try await Task.sleep(for: .milliseconds(500))
                try seed.open().appendLogs([.init(time: "2026-11-27T04:01:00.000Z", level: "info", runId: nil, policy: "invoices", message: "fresh line", metadata: "{}")])
            }
            try await client.execute(uri: "/logs?follow=true&limit=2&policy=invoices", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
                let events = response.text.components(separatedBy: "\n\n").filter { $0.contains("data: ") }
                #expect(events.count == 3)
                #expect(events.first?.contains("id: 7\n") == true)
                #expect(events.last?.contains("fresh line") == true)
            }
            try await client.execute(uri: "/logs?follow=true&policy=invoices", method: .get, headers: [HTTPField.Name("Last-Event-ID")!: "7"]) { response in
                let events = response.text.components(separatedBy: "\n\n").filter { $0.contains("data: ") }
                #expect(events.map { $0.contains("fresh line") } == [false, true])
            }
        }
    }

    @Test func statusShowsActiveRunsPoliciesAndToday() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/status", method: .get) { response in
                #expect(response.status == .ok)
                let json = response.json
                let active = json["active"] as? [[String: Any]] ?? []
                #expect(active.count == 1)
                #expect((active.first?["progress"] as? [String: Any])?["filesDone"] as? Int == 3)
                let policies = json["policies"] as? [[String: Any]] ?? []
                #expect(policies.compactMap { $0["name"] as? String } == ["invoices", "photos"])
                let invoices = policies.first ?? [:]
                #expect(invoices["nextRunAt"] as? String == "2026-11-27T05:00:00.000Z")
                #expect(invoices["running"] as? Bool == true)
                let today = invoices["today"] as? [String: Any] ?? [:]
                #expect(today["runs"] as? Int == 2)
                #expect(today["bytesIn"] as? Int == 1000)
                #expect(((policies.last?["lastRun"] as? [String: Any])?["error"] as? String) == "destination full")
            }
        }
    }

    @Test func unknownRoutesAndMethodsAnswerJSON() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((response.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            }
            try await client.execute(uri: "/compress", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/runs/7", method: .delete) { #expect($0.headers[.allow] == "GET") }
        }
    }

    @Test func unknownQueryParametersAreRefusedByName() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/runs?polcy=invoices", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("polcy: unknown parameter") == true)
            }
            try await client.execute(uri: "/files?limit=5&limit=500", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("limit: given more than once") == true)
            }
            try await client.execute(uri: "/logs?cursor=", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/logs?follow=1", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/logs", method: .get, headers: [HTTPField.Name("Last-Event-ID")!: "x"]) { #expect($0.status == .badRequest) }
        }
    }

    @Test func documentsAreServedFromTheBinary() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.hasPrefix("openapi: 3.1"))
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.contentSecurityPolicy] != nil)
                #expect(!response.text.contains("http://") && !response.text.contains("https://"))
            }
        }
    }

    @Test func metricsCountRequestsByRoute() async throws {
        try await TestServer().test { client in
            try await client.execute(uri: "/runs/1", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains("pybak_api_requests_total{route=\"/runs/{id}\",method=\"GET\",status=\"200\"} 1"))
                #expect(response.text.contains("pybak_api_request_duration_seconds_bucket"))
            }
        }
    }
}
