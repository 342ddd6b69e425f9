import Foundation
import KubeModels

/// The controller's metrics in the Prometheus text format, rendered from what it observes: whether this
/// replica leads, the work queue's depth, and per policy its readiness, last result and last success.
public enum ControllerMetricsText {
    /// Renders the exposition.
    /// - Parameters:
    ///   - leader: whether this replica holds the Lease (always true without leader election).
    ///   - queueDepth: keys waiting in the work queue.
    ///   - policies: the policies in the informer's cache, with the status the controller wrote.
    ///   - reconciles: the reconciler's counters (reconciles by result, duration histogram).
    public static func render(leader: Bool, queueDepth: Int, policies: [BackupPolicy], reconciles: ReconcileMetrics.Snapshot = .init()) -> String {
        var lines: [String] = []
        func family(_ name: String, _ help: String, _ type: String = "gauge") {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        family("pybak_controller_leader", "1 when this replica holds the leader Lease and acts.")
        lines.append("pybak_controller_leader \(leader ? 1 : 0)")
        family("pybak_controller_queue_depth", "Policies waiting to be reconciled.")
        lines.append("pybak_controller_queue_depth \(queueDepth)")
        family("pybak_controller_policies", "BackupPolicies the controller watches.")
        lines.append("pybak_controller_policies \(policies.count)")

        family("pybak_controller_reconciles_total", "Reconciles by result: created, updated or unchanged CronJob, or error.", "counter")
        for result in ReconcileMetrics.Result.allCases {
            lines.append("pybak_controller_reconciles_total{result=\"\(result.rawValue)\"} \(reconciles.results[result, default: 0])")
        }
        family("pybak_controller_reconcile_duration_seconds", "Time one reconcile took, seconds.", "histogram")
        for (bound, count) in zip(ReconcileMetrics.buckets, reconciles.bucketCounts) {
            lines.append("pybak_controller_reconcile_duration_seconds_bucket{le=\"\(number(bound))\"} \(count)")
        }
        lines.append("pybak_controller_reconcile_duration_seconds_bucket{le=\"+Inf\"} \(reconciles.count)")
        lines.append("pybak_controller_reconcile_duration_seconds_sum \(number(reconciles.sum))")
        lines.append("pybak_controller_reconcile_duration_seconds_count \(reconciles.count)")

        family("pybak_policy_ready", "1 when the policy's Ready condition is True.")
        for policy in policies {
            let ready = policy.status?.conditions?.first { $0.type == "Ready" }?.status == "True"
            lines.append("pybak_policy_ready{\(labels(policy))} \(ready ? 1 : 0)")
        }
        family("pybak_policy_last_run_succeeded", "1 when the policy's last run succeeded, 0 when it did not; absent before the first run.")
        for policy in policies {
            guard let result = policy.status?.lastRun?.result, result != "Running" else { continue }
            lines.append("pybak_policy_last_run_succeeded{\(labels(policy))} \(result == "Succeeded" ? 1 : 0)")
        }
        family("pybak_policy_last_run_status", "1 for the result of the policy's last run (Running, Succeeded, Partial, Failed); absent before the first run.")
        for policy in policies {
            guard let result = policy.status?.lastRun?.result else { continue }
            lines.append("pybak_policy_last_run_status{\(labels(policy)),result=\"\(escape(result))\"} 1")
        }
        family("pybak_policy_last_success_timestamp_seconds", "When the policy last succeeded, seconds since the epoch.")
        for policy in policies {
            guard let text = policy.status?.lastSuccessfulTime, let seconds = epochSeconds(text) else { continue }
            lines.append("pybak_policy_last_success_timestamp_seconds{\(labels(policy))} \(Int64(seconds))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A sample value: integers without a fraction, others as Swift prints doubles.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func labels(_ policy: BackupPolicy) -> String {
        "namespace=\"\(escape(policy.metadata.namespace ?? ""))\",name=\"\(escape(policy.metadata.name ?? ""))\""
    }

    /// Label values escape backslash, double quote and newline (Prometheus text format 0.0.4).
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func epochSeconds(_ text: String) -> Double? {
        KubeTime.parse(text)?.timeIntervalSince1970
    }
}
