import APIServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization

/// A trigger that records requests and answers with a scripted outcome.
final class RecordingTrigger: PassTrigger {
    let requests = Mutex<[TriggerRequest]>([])
    let outcome: @Sendable (TriggerRequest) throws -> TriggerOutcome

    init(outcome: @escaping @Sendable (TriggerRequest) throws -> TriggerOutcome = { TriggerOutcome(runs: [TriggeredRun(policy: $0.policy ?? "invoices", runId: 42)]) }) {
        self.outcome = outcome
    }

    func trigger(_ request: TriggerRequest) async throws -> TriggerOutcome {
        requests.withLock { $0.append(request) }
        return try outcome(request)
    }

    var count: Int { requests.withLock { $0.count } }
}

/// Tokens "read", "trigger", "both" map to principals with those scopes; anything else is invalid.
struct TableAuthenticator: BearerAuthenticator {
    let issuer = "https://issuer.test"

    func authenticate(token: String) async throws(AuthError) -> Principal {
        switch token {
        case "read": return Principal(subject: "reader", scopes: ["pybak.read"])
        case "trigger": return Principal(subject: "robot", scopes: ["pybak.trigger"])
        case "both": return Principal(subject: "ops", scopes: ["pybak.read", "pybak.trigger"])
        case "down": throw .keysUnavailable("issuer unreachable")
        default: throw .invalidToken("bad token")
        }
    }
}

/// A live status with one policy that has a next run and a pass in flight.
struct FixedStatus: StatusSource {
    func liveStatus() async -> [LivePolicy] {
        [LivePolicy(name: "invoices", nextRunAt: "2026-11-27T05:00:00.000Z", progress: LiveProgress(runId: 4, filesDone: 3, filesTotal: 10, bytesDone: 300, bytesTotal: 1000))]
    }
}

struct TestServer {
    let seed: CatalogSeed
    let server: APIServer

    init(
        authenticator: (any BearerAuthenticator)? = nil, trigger: (any PassTrigger)? = RecordingTrigger(), status: (any StatusSource)? = FixedStatus(),
        configure: (inout APIConfiguration) -> Void = { _ in }
    ) throws {
        let seed = try CatalogSeed()
        self.seed = seed
        var configuration = APIConfiguration(address: ListenAddress(host: "127.0.0.1", port: 0))
        configure(&configuration)
        server = try APIServer(
            configuration: configuration, catalog: CatalogPool(connections: 2) { try seed.open() }, authenticator: authenticator,
            trigger: trigger, statusSource: status, logger: Logger(label: "test")
        )
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.router, body)
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}
