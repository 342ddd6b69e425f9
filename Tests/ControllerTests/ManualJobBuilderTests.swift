import Foundation
import KubeClient
import KubeModels
import PyBakCore
import Testing

@testable import Controller

@Suite struct ManualJobBuilderTests {
    /// The controller's CronJob as the API server would return it (JSON, with a uid).
    func cronJobJSON(name: String = "invoices") throws -> JSONValue {
        var cron = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(name: name), worker: Fixtures.worker)
        cron.metadata.uid = "cron-uid"
        return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(cron))
    }

    @Test func jobIsTheTemplateOwnedByTheCronJobWithWhoAndWhy() throws {
        let request = ManualJobBuilder.Request(requestedBy: "alice", reason: "release", idempotencyKey: "k-1")
        let json = try ManualJobBuilder.job(from: try cronJobJSON(), name: "invoices-manual-abcde", request: request)
        let job = try JSONDecoder().decode(Job.self, from: JSONEncoder().encode(json))
        #expect(job.metadata.name == "invoices-manual-abcde" && job.metadata.namespace == "finance")
        #expect(job.metadata.labels == CronJobBuilder.selectorLabels(policy: "invoices"))
        #expect(job.metadata.annotations == [
            "cronjob.kubernetes.io/instantiate": "manual", "pybak.io/requested-by": "alice", "pybak.io/reason": "release",
            "pybak.io/idempotency-key": "k-1",
        ])
        #expect(job.metadata.ownerReferences == [
            OwnerReference(apiVersion: "batch/v1", kind: "CronJob", name: "invoices", uid: "cron-uid", controller: true, blockOwnerDeletion: nil)
        ])
        let template = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker).spec.jobTemplate.spec
        #expect(job.spec?.backoffLimit == template.backoffLimit && job.spec?.podFailurePolicy == template.podFailurePolicy)
        let env = try #require(job.spec?.template.spec.containers.first?.env)
        #expect(env.dropLast(2) == template.template.spec.containers[0].env?[...])
        #expect(env.suffix(2).map(\.name) == ["PYBAK_TRIGGER", "PYBAK_REQUESTED_BY"])
        #expect(env.suffix(2).map(\.value) == ["api", "alice"] as [String?])
    }

    @Test func withoutReasonOrKeyThoseAnnotationsAreAbsent() throws {
        let json = try ManualJobBuilder.job(from: try cronJobJSON(), name: "j", request: .init(requestedBy: "bob", reason: nil, idempotencyKey: nil))
        let annotations = json.at("metadata", "annotations")?.members ?? [:]
        #expect(Set(annotations.keys) == ["cronjob.kubernetes.io/instantiate", "pybak.io/requested-by"])
    }

    @Test func aCronJobWithoutUidOrTemplateIsRefused() throws {
        var cron = try cronJobJSON()
        guard case .object(var fields) = cron, case .object(var meta)? = fields["metadata"] else { Issue.record("not an object"); return }
        meta["uid"] = nil
        fields["metadata"] = .object(meta)
        cron = .object(fields)
        #expect(throws: ManualJobError.self) { try ManualJobBuilder.job(from: cron, name: "j", request: .init(requestedBy: "a", reason: nil, idempotencyKey: nil)) }
        #expect(throws: ManualJobError.self) {
            try ManualJobBuilder.job(from: .object(["metadata": .object(["name": .string("x"), "namespace": .string("n"), "uid": .string("u")])]), name: "j",
                                     request: .init(requestedBy: "a", reason: nil, idempotencyKey: nil))
        }
    }

    @Test func namesFitSixtyThreeCharactersAndKeysNameTheSameJob() {
        var random = SystemRandomNumberGenerator()
        let long = String(repeating: "a", count: 51) + "-b"
        let name = ManualJobBuilder.jobName(cronJob: long, id: "xyzab")
        #expect(name.count <= 63 && name.hasSuffix("-manual-xyzab") && !name.contains("--"))
        #expect(ManualJobBuilder.jobName(cronJob: "invoices", id: "xyzab") == "invoices-manual-xyzab")
        let first = ManualJobBuilder.shortId(requestedBy: "alice", idempotencyKey: "k", random: &random)
        #expect(first == ManualJobBuilder.shortId(requestedBy: "alice", idempotencyKey: "k", random: &random))
        #expect(first != ManualJobBuilder.shortId(requestedBy: "mallory", idempotencyKey: "k", random: &random))
        let fresh = (0..<20).map { _ in ManualJobBuilder.shortId(requestedBy: "alice", idempotencyKey: nil, random: &random) }
        #expect(Set(fresh).count > 15 && fresh.allSatisfy { $0.count == 5 && $0.allSatisfy { $0.isLowercase || $0.isNumber } })
    }

    @Test func activeUntilCompleteOrFailed() {
        var job = Job(metadata: ObjectMeta(name: "j"), spec: nil)
        #expect(ManualJobBuilder.isActive(job))
        var status = JobStatus()
        status.conditions = [JobCondition(type: "Complete", status: "False")]
        job.status = status
        #expect(ManualJobBuilder.isActive(job))
        status.conditions = [JobCondition(type: "Failed", status: "True")]
        job.status = status
        #expect(!ManualJobBuilder.isActive(job))
    }

    @Test func policyCronJobsComeFromTheListWithTheirKeys() throws {
        let list: JSONValue = .object(["items": .array([try cronJobJSON(), .object(["metadata": .object(["name": .string("other")])])])])
        let found = PolicyCronJob.all(inList: list)
        #expect(found.map(\.key) == ["finance/invoices"] && found[0].cronJobName == "invoices" && !found[0].isSuspended)
    }
}
