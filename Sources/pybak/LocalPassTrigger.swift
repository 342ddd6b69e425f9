import APIServer
import BackupPipeline
import Catalog
import Logging
import PyBakCore
import Synchronization

/// `POST /compress` for the daemon: starts a pass in this process, at once, unless one is running.
struct LocalPassTrigger: PassTrigger {
    let settings: PassSettings
    let stderrLevel: Logger.Level
    /// The PostgreSQL catalog, or nil for SQLite.
    let database: DatabaseTarget?
    let coordinator: PassCoordinator
    let logger: Logger

    func trigger(_ request: TriggerRequest) async throws -> TriggerOutcome {
        if let policy = request.policy, policy != settings.policyName {
            throw TriggerError.unknownPolicy(policy, known: [settings.policyName])
        }
        guard let progress = await coordinator.tryBegin() else {
            throw TriggerError.alreadyRunning(policy: settings.policyName, runId: await coordinator.runningId)
        }
        let started = OnceContinuation()
        let coordinator = self.coordinator
        let runner = PassRunner(
            settings: settings, stderrLevel: stderrLevel, trigger: .api, cancellation: coordinator.cancellation, database: database, progress: progress,
            onRunStarted: { id in
                started.resume(.success(id))
                Task { await coordinator.started(runId: id) }
            },
            requestedBy: request.requestedBy
        )
        let logger = self.logger
        let policy = settings.policyName
        Task {
            do {
                let result = try await runner.run()
                logger.notice("triggered pass done", metadata: [
                    "run.id": "\(result.runId)", "run.status": "\(result.status.rawValue)", "requested.by": "\(request.requestedBy)",
                ])
                started.resume(.success(result.runId))
            } catch let error as PyBakError {
                started.resume(.failure(error.code == .busy ? .alreadyRunning(policy: policy, runId: nil) : .failed(error.message)))
            } catch {
                started.resume(.failure(.failed("\(error)")))
            }
            await coordinator.end()
        }
        let runId = try await started.value()
        return TriggerOutcome(runs: [TriggeredRun(policy: policy, runId: runId)])
    }
}

/// A continuation resumed by whichever comes first: the run id, or the pass's failure to start.
final class OnceContinuation: Sendable {
    private let state = Mutex<(result: Result<Int64, TriggerError>?, waiter: CheckedContinuation<Int64, any Error>?)>((nil, nil))

    func resume(_ result: Result<Int64, TriggerError>) {
        let waiter = state.withLock { s -> CheckedContinuation<Int64, any Error>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    func value() async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Result<Int64, TriggerError>? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
        }
    }
}
