import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import APIServer

@Suite struct TriggerRouteTests {
    static let json: HTTPFields = [.contentType: "application/json"]

    @Test func compressAnswers202WithTheRunAndWhoAsked() async throws {
        let trigger = RecordingTrigger()
        try await TestServer(authenticator: TableAuthenticator(), trigger: trigger).test { client in
            var headers = bearer("both")
            headers[.contentType] = "application/json"
            try await client.execute(uri: "/compress", method: .post, headers: headers, body: ByteBuffer(string: #"{"policy":"invoices","reason":"month end"}"#)) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[.location] == "/runs/42")
                #expect(response.json["requestedBy"] as? String == "ops")
                #expect((response.json["runs"] as? [[String: Any]])?.first?["runId"] as? Int == 42)
            }
        }
        #expect(trigger.requests.withLock { $0 } == [TriggerRequest(policy: "invoices", requestedBy: "ops", reason: "month end")])
    }

    @Test func anEmptyBodyTriggersEveryPolicyAndListsThoseLeftOut() async throws {
        let trigger = RecordingTrigger { _ in
            TriggerOutcome(
                runs: [TriggeredRun(policy: "default/invoices", runId: nil, job: "invoices-manual-1")],
                skipped: [SkippedPolicy(policy: "default/photos", reason: .running), SkippedPolicy(policy: "ops/logs", reason: .suspended)])
        }
        try await TestServer(trigger: trigger).test { client in
            try await client.execute(uri: "/compress", method: .post) { response in
                #expect(response.status == .accepted)
                let skipped = (response.json["skipped"] as? [[String: String]]) ?? []
                #expect(skipped == [["policy": "default/photos", "reason": "running"], ["policy": "ops/logs", "reason": "suspended"]])
            }
        }
        #expect(trigger.requests.withLock { $0.first?.policy } == .some(nil))
    }

    @Test func anAllPoliciesTriggerThatCanStartNothingIs409NamingEachPolicy() async throws {
        let trigger = RecordingTrigger { _ in
            throw TriggerError.nothingToStart([SkippedPolicy(policy: "default/photos", reason: .running), SkippedPolicy(policy: "ops/logs", reason: .suspended)])
        }
        try await TestServer(trigger: trigger).test { client in
            try await client.execute(uri: "/compress", method: .post) { response in
                #expect(response.status == .conflict)
                let error = response.json["error"] as? [String: Any]
                #expect(error?["code"] as? String == "nothing_to_start")
                #expect((error?["message"] as? String)?.contains("default/photos (running), ops/logs (suspended)") == true)
            }
        }
    }

    @Test func anIdempotencyKeyReplaysTheAnswerAndStartsNothingNew() async throws {
        let trigger = RecordingTrigger()
        try await TestServer(trigger: trigger).test { client in
            var headers = Self.json
            headers[HTTPField.Name("Idempotency-Key")!] = "k-1"
            let body = #"{"policy":"invoices"}"#
            let first = try await client.execute(uri: "/compress", method: .post, headers: headers, body: ByteBuffer(string: body)) { $0.text }
            try await client.execute(uri: "/compress", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
                #expect(response.text == first)
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            }
            try await client.execute(uri: "/compress", method: .post, headers: headers, body: ByteBuffer(string: #"{"policy":"photos"}"#)) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
        #expect(trigger.count == 1)
    }

    @Test func aRunningPolicyAnswers409AndUnknownOnes404() async throws {
        let trigger = RecordingTrigger { request in
            if request.policy == "invoices" { throw TriggerError.alreadyRunning(policy: "invoices", runId: 4) }
            throw TriggerError.unknownPolicy(request.policy ?? "", known: ["invoices"])
        }
        try await TestServer(trigger: trigger).test { client in
            try await client.execute(uri: "/compress", method: .post, headers: Self.json, body: ByteBuffer(string: #"{"policy":"invoices"}"#)) { response in
                #expect(response.status == .conflict)
                #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.contains("run 4") == true)
            }
            try await client.execute(uri: "/compress", method: .post, headers: Self.json, body: ByteBuffer(string: #"{"policy":"x"}"#)) { #expect($0.status == .notFound) }
        }
    }

    @Test func badBodiesAre4xxNeverServerErrors() async throws {
        try await TestServer().test { client in
            for body in ["[1]", "{\"policy\": 5}", "{\"policyy\": \"a\"}", "not json", "{\"policy\": \"\"}", "{\"policy\": null}"] {
                try await client.execute(uri: "/compress", method: .post, headers: Self.json, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "body \(body)")
                }
            }
            try await client.execute(uri: "/compress", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")) {
                #expect($0.status == .unsupportedMediaType)
            }
            let huge = #"{"reason":""# + String(repeating: "x", count: 70_000) + #""}"#
            try await client.execute(uri: "/compress", method: .post, headers: Self.json, body: ByteBuffer(string: huge)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(!response.text.contains("Error"))
            }
        }
    }

    @Test func triggersAreRateLimitedPerCaller() async throws {
        let trigger = RecordingTrigger()
        try await TestServer(trigger: trigger, configure: { $0.triggerBurst = 2; $0.triggersPerMinute = 1 }).test { client in
            for expected: HTTPResponse.Status in [.accepted, .accepted, .tooManyRequests] {
                try await client.execute(uri: "/compress", method: .post) { response in
                    #expect(response.status == expected)
                    if expected == .tooManyRequests { #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0) }
                }
            }
        }
        #expect(trigger.count == 2)
    }

    @Test func withoutATriggerCompressAnswers501() async throws {
        try await TestServer(trigger: nil).test { client in
            try await client.execute(uri: "/compress", method: .post) { #expect($0.status == .notImplemented) }
        }
    }
}

@Suite struct AuthRouteTests {
    @Test func aMissingTokenIs401WithABearerChallenge() async throws {
        try await TestServer(authenticator: TableAuthenticator()).test { client in
            try await client.execute(uri: "/status", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"pybak\"") == true)
            }
            try await client.execute(uri: "/status", method: .get, headers: [.authorization: "Basic Zm9vOmJhcg=="]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains("invalid_request") == true)
            }
            try await client.execute(uri: "/status", method: .get, headers: bearer("forged")) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)
            }
        }
    }

    @Test func aMissingScopeIs403() async throws {
        try await TestServer(authenticator: TableAuthenticator()).test { client in
            try await client.execute(uri: "/compress", method: .post, headers: bearer("read")) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
            }
            try await client.execute(uri: "/runs", method: .get, headers: bearer("trigger")) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/runs", method: .get, headers: bearer("read")) { #expect($0.status == .ok) }
            try await client.execute(uri: "/compress", method: .post, headers: bearer("trigger")) { #expect($0.status == .accepted) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func healthAndDocumentsNeedNoToken() async throws {
        try await TestServer(authenticator: TableAuthenticator()).test { client in
            for uri in ["/healthz", "/readyz", "/openapi.yaml", "/"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
        }
    }

    @Test func unreachableKeysAre503NotAnAuthFailure() async throws {
        try await TestServer(authenticator: TableAuthenticator()).test { client in
            try await client.execute(uri: "/status", method: .get, headers: bearer("down")) { #expect($0.status == .serviceUnavailable) }
        }
    }

    @Test func authOffIsRefusedOffLoopback() throws {
        #expect(throws: APIConfigurationError.self) {
            try APIServer(
                configuration: APIConfiguration(address: ListenAddress(host: "0.0.0.0", port: 8080)), catalog: CatalogPool { throw APIConfigurationError("x") },
                authenticator: nil, trigger: nil, statusSource: nil, logger: .init(label: "t")
            )
        }
    }
}
