import ArgumentParser
import Controller
import Foundation
import KubeClient
import KubeModels
import PyBakCore
import Yams

/// `pybak controller render`: prints the CronJob the controller would make for a policy.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the CronJob (YAML) the controller would create for a policy, for review and debugging.",
        discussion: """
            The policy's namespace defaults to 'default'. The owner reference needs the policy's uid, so it is \
            shown only when the document has metadata.uid. Exit 2 when the policy is invalid (the problems are listed).
            """
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: "A BackupPolicy document (YAML or JSON).")
    var file: String

    @Option(name: .customLong("image"), help: "Worker image (default \(WorkerTemplate.defaultImage)). Env: PYBAK_WORKER_IMAGE.")
    var image: String?

    @Option(name: .customLong("database-secret"), help: "NAME[:KEY] of the Secret with the PostgreSQL URL in the policy's namespace (key default 'url'). Env: PYBAK_WORKER_DATABASE_SECRET.")
    var databaseSecret: String?

    func run() async throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let loaded = try PolicyFile.load(path: file)
            var meta = ObjectMeta(name: loaded.name ?? "policy", namespace: loaded.namespace ?? "default")
            meta.uid = try Self.uid(in: file)
            let policy = BackupPolicy(metadata: meta, spec: loaded.spec)
            let problems = PolicyValidation.problems(of: policy.spec, name: meta.name ?? "")
            guard problems.isEmpty else {
                throw PyBakError(.config, "\(file): the controller would make no CronJob:\n  " + problems.map(\.description).joined(separator: "\n  "))
            }
            let worker = try WorkerOptions.template(image: image, databaseSecret: databaseSecret, environment: environment)
            let cronJob = try CronJobBuilder.desiredCronJob(for: policy, worker: worker)
            print(try YAMLRendering.yaml(cronJob), terminator: "")
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }

    /// `metadata.uid` of the document, when it has one.
    private static func uid(in path: String) throws -> String? {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try Yams.compose(yaml: text)?.mapping?["metadata"]?.mapping?["uid"]?.string
    }
}

/// The worker settings of the controller's deployment, from flags and environment.
enum WorkerOptions {
    static func template(image: String?, databaseSecret: String?, environment: [String: String]) throws -> WorkerTemplate {
        var template = WorkerTemplate(image: image ?? environment["PYBAK_WORKER_IMAGE"].flatMap { $0.isEmpty ? nil : $0 } ?? WorkerTemplate.defaultImage)
        if let text = databaseSecret ?? environment["PYBAK_WORKER_DATABASE_SECRET"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty else {
                throw PyBakError(.usage, "--database-secret '\(text)': write NAME or NAME:KEY")
            }
            template.databaseSecret = (name: name, key: parts.count > 1 ? parts[1] : "url")
        }
        template.logLevel = environment["PYBAK_WORKER_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0 }
        return template
    }
}

/// Kubernetes objects as YAML with sorted keys, strings quoted where YAML would read them as something else.
enum YAMLRendering {
    static func yaml<T: Encodable>(_ value: T) throws -> String {
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        return try Yams.serialize(node: try node(json))
    }

    private static func node(_ value: JSONValue) throws -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return try flag.represented()
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return try Int64(number).represented() }
            return try number.represented()
        case .string(let text): return try text.represented()
        case .array(let items): return Node(try items.map(node))
        case .object(let members):
            return Node(try members.keys.sorted().map { (Node($0), try node(members[$0]!)) })
        }
    }
}
