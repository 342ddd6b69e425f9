import Foundation
import Synchronization
import Testing

@testable import Transport

@Suite("HTTPClient against a real HTTP server")
struct HTTPClientTests {
    let base = FixtureServer.baseURL

    private func echo(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func sendsBytesAndHeaders() throws {
        let body = Array("hello, body".utf8)
        let request = HTTPRequest(method: "PUT", url: "\(base)/echo?x=1", headers: [("X-Test", "yes")], body: .bytes(body))
        let response = try HTTPClient().send(request)
        #expect(response.status == 200)
        let doc = try echo(response)
        #expect(doc["method"] as? String == "PUT")
        #expect(doc["length"] as? Int == body.count)
        #expect((doc["headers"] as? [String: String])?["x-test"] == "yes")
        #expect(doc["query"] as? String == "x=1")
        #expect(response.header("Content-Type") == "application/json")
    }

    @Test(arguments: ["POST", "PATCH", "PUT"])
    func streamsAFileRangeAsTheBody(method: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("transport-\(UUID()).bin").path
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let offset = 1000, length = (2 << 20) + 17
        let request = HTTPRequest(method: method, url: "\(base)/echo", body: .file(path: path, offset: Int64(offset), length: Int64(length)))
        let doc = try echo(try HTTPClient().send(request))
        #expect(doc["method"] as? String == method)
        #expect(doc["length"] as? Int == length)
        let expected = SHA256Reference.hex(Array(bytes[offset..<offset + length]))
        #expect(doc["sha256"] as? String == expected)
    }

    @Test func retriesFiveHundredsThenSucceeds() throws {
        let delays = Mutex<[Double]>([])
        let client = HTTPClient(sleeper: { seconds in delays.withLock { $0.append(seconds) } }, random: { 0.5 })
        let key = UUID().uuidString
        let response = try client.send(HTTPRequest(method: "GET", url: "\(base)/flaky/\(key)/2"), retry: RetryPolicy(maxAttempts: 4))
        #expect(response.status == 200)
        #expect(response.text == "ok after 3")
        // Retry-After: 0 from the server wins over the computed backoff.
        #expect(delays.withLock { $0 } == [0, 0])
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastResponse() throws {
        let client = HTTPClient(sleeper: { _ in }, random: { 0 })
        let key = UUID().uuidString
        let request = HTTPRequest(method: "GET", url: "\(base)/flaky/\(key)/5")
        let response = try client.send(request, retry: RetryPolicy(maxAttempts: 3))
        #expect(response.status == 503)
        let error = response.error(for: request)
        #expect(error.serviceMessage == "try again")
        #expect(error.isRetryable)
        #expect("\(error)".contains("GET \(base)/flaky/\(key)/5: HTTP 503 — try again"))
    }

    @Test func honoursRetryAfterOn429() throws {
        let delays = Mutex<[Double]>([])
        let client = HTTPClient(sleeper: { seconds in delays.withLock { $0.append(seconds) } }, random: { 0.99 })
        let request = HTTPRequest(method: "GET", url: "\(base)/busy")
        let response = try client.send(request, retry: RetryPolicy(maxAttempts: 2))
        #expect(response.status == 429)
        #expect(delays.withLock { $0 } == [1])
        #expect(response.error(for: request).serviceMessage == "TooManyRequests: too many requests, slow down")
    }

    @Test func decodesS3StyleErrors() throws {
        let request = HTTPRequest(method: "GET", url: "\(base)/s3error")
        let response = try HTTPClient().send(request, retry: .standard)
        #expect(response.status == 403)
        #expect(throws: TransportError.self) { try response.requireSuccess(for: request) }
        let error = response.error(for: request)
        #expect(!error.isRetryable)
        #expect(error.serviceMessage == "SignatureDoesNotMatch: The request signature we calculated does not match")
    }

    @Test func timesOutOnASlowServer() throws {
        let request = HTTPRequest(method: "GET", url: "\(base)/slow", timeout: 0.5)
        let error = try #require(throws: TransportError.self) { try HTTPClient().send(request) }
        #expect(error.kind == .timeout)
        #expect(error.isRetryable)
    }

    @Test func namesTheEndpointWhenNothingListens() throws {
        let request = HTTPRequest(method: "GET", url: "http://user:secret@127.0.0.1:1/x?token=abc")
        let error = try #require(throws: TransportError.self) { try HTTPClient().send(request) }
        #expect(error.kind == .network)
        #expect(error.endpoint == "GET http://127.0.0.1:1/x")
        #expect(!"\(error)".contains("secret") && !"\(error)".contains("abc"))
    }

    @Test func refusesOversizedResponses() throws {
        let request = HTTPRequest(method: "GET", url: "\(base)/big/100000", maxResponseBytes: 1000)
        let error = try #require(throws: TransportError.self) { try HTTPClient().send(request) }
        #expect(error.kind == .local)
        #expect(error.detail.contains("larger than 1000 bytes"))
    }

    @Test func streamsLinesAcrossChunkBoundaries() throws {
        let received = Mutex<[UInt8]>([])
        let response = try HTTPClient().stream(HTTPRequest(method: "GET", url: "\(base)/stream/50", timeout: 30)) { data in
            received.withLock { $0.append(contentsOf: data) }
            return true
        }
        #expect(response.status == 200)
        let lines = received.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n")
        #expect(lines.count == 50)
        #expect(lines.last == #"{"type": "ADDED", "n": 49}"#)
    }

    @Test func consumerCanEndAStreamEarly() throws {
        let response = try HTTPClient().stream(HTTPRequest(method: "GET", url: "\(base)/hang", timeout: 30)) { _ in false }
        #expect(response.status == 200)
    }

    @Test func cancellingATaskAbortsAHangingStream() async throws {
        let client = HTTPClient()
        let task = Task { try await client.stream(HTTPRequest(method: "GET", url: "\(base)/hang", timeout: nil)) { _ in true } }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let started = ContinuousClock.now
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(5))
        guard case .failure(let error as TransportError) = result else {
            Issue.record("expected a cancellation error, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
    }
}

/// SHA-256 of the expected body, computed by the system's `sha256sum` (an independent implementation).
enum SHA256Reference {
    static func hex(_ bytes: [UInt8]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}
