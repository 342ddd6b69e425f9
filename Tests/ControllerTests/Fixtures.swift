import Foundation
import KubeClient
import KubeModels
import PyBakCore

@testable import Controller

enum Fixtures {
    static func policy(_ yaml: String = "", name: String = "invoices", namespace: String = "finance", uid: String? = "uid-1", generation: Int64 = 1) throws -> BackupPolicy {
        var lines = yaml.split(separator: "\n").map { "  " + $0 }
        if !yaml.contains("source:") { lines.append("  source: {volume: {persistentVolumeClaim: {claimName: inbox}}, path: incoming/}") }
        if !yaml.contains("destination:") { lines.append("  destination: {volume: {persistentVolumeClaim: {claimName: archive}}, path: backups}") }
        let text = """
            apiVersion: pybak.io/v1alpha1
            kind: BackupPolicy
            metadata: {name: \(name), namespace: \(namespace)}
            spec:
            \(lines.joined(separator: "\n"))
            """
        let loaded = try PolicyFile.parse(text, origin: "test.yaml")
        var meta = ObjectMeta(name: name, namespace: namespace)
        meta.uid = uid
        meta.generation = generation
        return BackupPolicy(metadata: meta, spec: loaded.spec)
    }

    static let worker = WorkerTemplate(image: "pybak:test", databaseSecret: (name: "pybak-database", key: "url"))

    static func job(_ name: String, policy: String = "invoices", start: String, end: String? = nil, result: String? = nil, message: String? = nil) -> Job {
        var meta = ObjectMeta(name: name, namespace: "finance", labels: [CronJobBuilder.policyLabel: policy])
        meta.creationTimestamp = start
        var status = JobStatus()
        status.startTime = start
        status.completionTime = result == "Complete" ? end : nil
        if let result {
            status.conditions = [JobCondition(type: result, status: "True", reason: result == "Failed" ? "BackoffLimitExceeded" : nil, message: message, lastTransitionTime: end)]
        } else {
            status.active = 1
        }
        return Job(metadata: meta, spec: nil, status: status)
    }
}
