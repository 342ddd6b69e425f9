import Foundation
import KubeClient
import KubeModels
import Testing

@testable import Controller

@Suite struct ControllerMetricsTextTests {
    private func policy(_ name: String, result: String?, ready: Bool, lastSuccess: String?) throws -> BackupPolicy {
        var policy = try BackupPolicy.decodeForTest(name: name)
        var status = BackupPolicyStatus()
        status.conditions = [Condition(type: "Ready", status: ready ? "True" : "False", lastTransitionTime: "2026-11-27T00:00:00Z", reason: "R", message: "m")]
        if let result {
            var run = RunStatus()
            run.result = result
            status.lastRun = run
        }
        status.lastSuccessfulTime = lastSuccess
        policy.status = status
        return policy
    }

    @Test func rendersLeadershipQueueAndEachPolicy() throws {
        let text = ControllerMetricsText.render(leader: false, queueDepth: 3, policies: [
            try policy("a", result: "Succeeded", ready: true, lastSuccess: "2026-11-27T04:00:00Z"),
            try policy("b", result: "Failed", ready: false, lastSuccess: nil),
            try policy("c", result: nil, ready: true, lastSuccess: nil),
        ])
        #expect(text.contains("pybak_controller_leader 0\n"))
        #expect(text.contains("pybak_controller_queue_depth 3\n"))
        #expect(text.contains("pybak_controller_policies 3\n"))
        #expect(text.contains(#"pybak_policy_ready{namespace="ns",name="a"} 1"#))
        #expect(text.contains(#"pybak_policy_ready{namespace="ns",name="b"} 0"#))
        #expect(text.contains(#"pybak_policy_last_run_succeeded{namespace="ns",name="a"} 1"#))
        #expect(text.contains(#"pybak_policy_last_run_succeeded{namespace="ns",name="b"} 0"#))
        #expect(!text.contains(#"pybak_policy_last_run_succeeded{namespace="ns",name="c"}"#))
        #expect(text.contains(#"pybak_policy_last_success_timestamp_seconds{namespace="ns",name="a"} 1795752000"#))
        #expect(text.hasSuffix("\n"))
    }

    @Test func rendersReconcilesByResultAndADurationHistogram() throws {
        let metrics = ReconcileMetrics()
        metrics.observe(.created, seconds: 0.003)
        metrics.observe(.unchanged, seconds: 0.0005)
        metrics.observe(.unchanged, seconds: 0.2)
        metrics.observe(.error, seconds: 30)
        let text = ControllerMetricsText.render(
            leader: true, queueDepth: 0, policies: [try policy("a", result: "Partial", ready: true, lastSuccess: nil)], reconciles: metrics.snapshot)
        #expect(text.contains("# TYPE pybak_controller_reconciles_total counter\n"))
        #expect(text.contains(#"pybak_controller_reconciles_total{result="created"} 1"#))
        #expect(text.contains(#"pybak_controller_reconciles_total{result="updated"} 0"#))
        #expect(text.contains(#"pybak_controller_reconciles_total{result="unchanged"} 2"#))
        #expect(text.contains(#"pybak_controller_reconciles_total{result="error"} 1"#))
        #expect(text.contains("# TYPE pybak_controller_reconcile_duration_seconds histogram\n"))
        #expect(text.contains(#"pybak_controller_reconcile_duration_seconds_bucket{le="0.001"} 1"#))
        #expect(text.contains(#"pybak_controller_reconcile_duration_seconds_bucket{le="0.005"} 2"#))
        #expect(text.contains(#"pybak_controller_reconcile_duration_seconds_bucket{le="10"} 3"#))
        #expect(text.contains(#"pybak_controller_reconcile_duration_seconds_bucket{le="+Inf"} 4"#))
        #expect(text.contains("pybak_controller_reconcile_duration_seconds_count 4\n"))
        #expect(text.contains("pybak_controller_reconcile_duration_seconds_sum 30.2035\n"))
        #expect(text.contains(#"pybak_policy_last_run_status{namespace="ns",name="a",result="Partial"} 1"#))
    }

    @Test func escapesLabelValues() {
        #expect(ControllerMetricsText.escape("a\"b\\c\nd") == #"a\"b\\c\nd"#)
    }
}

extension BackupPolicy {
    static func decodeForTest(name: String) throws -> BackupPolicy {
        let json = #"{"apiVersion":"pybak.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"\#(name)","namespace":"ns"},"spec":{"source":{"path":"in"},"destination":{"path":"out"}}}"#
        return try JSONDecoder().decode(BackupPolicy.self, from: Data(json.utf8))
    }
}
