import Testing

@testable import Controller

@Suite struct PolicyValidationTests {
    @Test func aGoodPolicyHasNoProblems() throws {
        #expect(PolicyValidation.problems(of: try Fixtures.policy("workers: 3\nschedule: '@daily'").spec, name: "invoices").isEmpty)
    }

    @Test(arguments: [
        ("schedule: 'every minute'", "spec.schedule"),
        ("workers: 0", "spec.workers"),
        ("parallelism: 999", "spec.parallelism"),
        ("compression: {level: 12}", "spec.compression.level"),
        ("compression: {format: rar}", "spec.compression.format"),
        ("source: {volume: {persistentVolumeClaim: {claimName: a}, emptyDir: {}}}", "spec.source.volume"),
        ("source: {volume: {emptyDir: {}}, path: ../etc}", "spec.source.path"),
        ("source: {volume: {emptyDir: {}}, minAge: soon}", "spec.source.minAge"),
        ("destination: {path: out}", "spec.destination.volume"),
        ("encryption: {keySecretRef: {key: k}}", "spec.encryption.keySecretRef.name"),
        ("report: {email: {to: [a@b.c]}}", "spec.report.email.smtpSecretRef.name"),
        ("cloud: {gcs: {bucket: logs}}", "spec.cloud.gcs.credentialsSecretRef.name"),
        ("failedJobsHistoryLimit: -1", "spec.failedJobsHistoryLimit"),
    ])
    func namesTheField(yaml: String, field: String) throws {
        let problems = PolicyValidation.problems(of: try Fixtures.policy(yaml).spec, name: "invoices")
        #expect(problems.map(\.field).contains(field), "\(problems)")
    }

    @Test func rejectsANameKubernetesWouldNot() throws {
        #expect(PolicyValidation.problems(of: try Fixtures.policy().spec, name: "Bad_Name").map(\.field) == ["metadata.name"])
    }
}
