import ArgumentParser
import BackupPipeline
import Foundation
import PyBakCore

/// `pybak worker`: one pass inside a Pod of the policy's CronJob.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one pass as a worker Pod of a BackupPolicy's CronJob (the controller sets it up).",
        discussion: """
            The policy comes from PYBAK_POLICY_JSON (set by the controller) or -f; the folders from --source/--dest \
            (the mounted volumes). In an Indexed Job of N Pods (spec.workers: N), each Pod takes the files whose \
            stable hash of the relative path modulo N equals JOB_COMPLETION_INDEX. Exit 0 makes the Job succeed; \
            any other code fails it (2, a bad policy, fails the Job without retrying).
            """
    )

    @OptionGroup var options: PassOptions

    @Option(name: .customLong("shard-index"), help: "This Pod's share of the files, 0-based. Env: JOB_COMPLETION_INDEX.")
    var shardIndex: Int?

    @Option(name: .customLong("shards"), help: "Pods sharing the source (spec.workers). Env: PYBAK_WORKERS.")
    var shards: Int?

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let settings = try WorkerSetup.settings(options: options, shardIndex: shardIndex, shards: shards, environment: environment)
            // A Job made by POST /compress carries who asked (ManualJobBuilder); a scheduled one carries nothing.
            let triggered = environment["PYBAK_TRIGGER"] == "api"
            let requestedBy = environment["PYBAK_REQUESTED_BY"].flatMap { $0.isEmpty ? nil : $0 }
            let result = try await PassRunner(
                settings: settings, stderrLevel: try options.stderrLevel(), trigger: triggered ? .api : .schedule,
                cancellation: SignalCancellation.install(), database: try options.database.target(environment: environment),
                requestedBy: triggered ? requestedBy : nil
            ).run()
            print("run \(result.runId): \(result.status.rawValue); compressed \(result.counts.compressed), duplicate \(result.counts.duplicate), skipped \(result.counts.skipped), failed \(result.counts.failed)")
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }
}

/// How the worker turns what the CronJob passes into pass settings.
enum WorkerSetup {
    /// The variable holding the policy document (JSON).
    static let policyVariable = "PYBAK_POLICY_JSON"

    static func settings(options: PassOptions, shardIndex: Int?, shards: Int?, environment: [String: String]) throws -> PassSettings {
        var loaded: PolicyFile.Loaded?
        if let text = environment[policyVariable], !text.isEmpty {
            loaded = try PolicyFile.parse(text, origin: policyVariable)
        }
        var settings = try options.settings(dryRun: false, environment: environment, loaded: loaded)
        if options.policyName == nil {
            // In a cluster, policies are named `namespace/name` in the catalog, so two namespaces never mix.
            if let name = environment["PYBAK_POLICY"], !name.isEmpty {
                settings.policyName = name
            } else if let loaded, let name = loaded.name {
                settings.policyName = "\(loaded.namespace ?? "default")/\(name)"
            }
        }
        let count = try shards ?? integer(environment["PYBAK_WORKERS"], "PYBAK_WORKERS") ?? 1
        let index = try shardIndex ?? integer(environment["JOB_COMPLETION_INDEX"], "JOB_COMPLETION_INDEX") ?? 0
        settings.shard = try ShardSelector(index: index, count: count)
        if count > 1 && options.catalogPath == nil && (environment["PYBAK_CATALOG"] ?? "").isEmpty && (environment["PYBAK_DATABASE_URL"] ?? "").isEmpty && options.database.url == nil {
            // SQLite is one writer at a time: each shard keeps its own catalog next to the shared destination.
            settings.catalogPath = "\(settings.destinationDir)/\(PassSettings.stateFolderName)/catalog.shard-\(index).sqlite"
        }
        return settings
    }

    private static func integer(_ text: String?, _ name: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw PyBakError(.config, "\(name) is '\(text)'; it must be a whole number") }
        return value
    }
}
