import Foundation
import KubeClient
import KubeModels
import PyBakCore
import Testing

@testable import Controller

@Suite struct CronJobComparisonTests {
    /// The CronJob as a real server returns it: the desired one plus defaults and server fields.
    static func asServed(_ cron: CronJob) throws -> CronJob {
        var json = try CronJobComparison.json(cron)
        guard case .object(var root) = json, case .object(var meta) = root["metadata"] else { fatalError() }
        meta["resourceVersion"] = .string("812")
        meta["uid"] = .string("cron-uid")
        meta["labels"] = .object((meta["labels"]?.members ?? [:]).merging(["added-by": .string("someone")]) { a, _ in a })
        root["metadata"] = .object(meta)
        json = .object(root)
        var served = try JSONDecoder().decode(CronJob.self, from: JSONEncoder().encode(json))
        served.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy = "IfNotPresent"  // a server default
        served.status = CronJobStatus(active: nil, lastScheduleTime: "2026-01-01T00:00:00Z", lastSuccessfulTime: nil)
        return served
    }

    @Test func serverDefaultsDoNotCountAsChanges() throws {
        let desired = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker)
        #expect(try CronJobComparison.update(observed: try Self.asServed(desired), desired: desired) == nil)
    }

    @Test func aSpecChangeUpdatesAndKeepsTheResourceVersion() throws {
        let old = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker)
        let desired = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy("schedule: '*/5 * * * *'"), worker: Fixtures.worker)
        let updated = try #require(try CronJobComparison.update(observed: try Self.asServed(old), desired: desired))
        #expect(updated.spec.schedule == "*/5 * * * *")
        #expect(updated.metadata.resourceVersion == "812")
        #expect(updated.metadata.labels?["added-by"] == "someone")
        #expect(updated.status == nil)
    }

    @Test func aHandEditedFieldIsPutBack() throws {
        let desired = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker)
        var edited = try Self.asServed(desired)
        edited.spec.concurrencyPolicy = "Allow"
        #expect(try CronJobComparison.update(observed: edited, desired: desired)?.spec.concurrencyPolicy == "Forbid")
        edited = try Self.asServed(desired)
        edited.spec.jobTemplate.spec.template.spec.containers[0].securityContext?.readOnlyRootFilesystem = false
        #expect(try CronJobComparison.update(observed: edited, desired: desired) != nil)
    }

    @Test func subsetRules() {
        let a: JSONValue = .object(["x": .number(1), "list": .array([.object(["n": .string("a")])])])
        let b: JSONValue = .object(["x": .number(1), "y": .bool(true), "list": .array([.object(["n": .string("a"), "extra": .null])])])
        #expect(a.isSubset(of: b))
        #expect(!b.isSubset(of: a))
        let shorter: JSONValue = .object(["x": .number(1), "list": .array([])])
        #expect(!a.isSubset(of: shorter))
    }
}
