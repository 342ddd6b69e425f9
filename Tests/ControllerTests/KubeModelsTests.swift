import Foundation
import KubeClient
import KubeModels
import PyBakCore
import Testing

@testable import Controller

@Suite struct KubeModelsTests {
    @Test func volumeKeepsAnySourceAsWritten() throws {
        let json = #"{"name":"data","nfs":{"server":"10.0.0.1","path":"/exports","readOnly":true}}"#
        let volume = try JSONDecoder().decode(Volume.self, from: Data(json.utf8))
        #expect(volume.name == "data")
        #expect(volume.source["nfs"]?.members?["server"] == .string("10.0.0.1"))
        let again = try JSONDecoder().decode(Volume.self, from: JSONEncoder().encode(volume))
        #expect(again == volume)
    }

    @Test func timesFormatAndParse() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_600.25)  // 2026-01-01T00:00:00.25Z
        #expect(KubeTime.format(date) == "2026-01-01T00:00:00Z")
        #expect(KubeTime.micro(date) == "2026-01-01T00:00:00.250000Z")
        #expect(KubeTime.parse("2026-01-01T00:00:00.250000Z") == date)
        #expect(KubeTime.parse("2026-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(KubeTime.parse("yesterday") == nil)
    }

    @Test func policyDecodesFromTheAPIWithStatus() throws {
        let json = """
            {"apiVersion":"pybak.io/v1alpha1","kind":"BackupPolicy",
             "metadata":{"name":"p","namespace":"n","uid":"u","generation":3,"resourceVersion":"77"},
             "spec":{"source":{"volume":{"emptyDir":{}},"path":"in"},"destination":{"volume":{"emptyDir":{}}},"workers":2},
             "status":{"observedGeneration":2,"lastRun":{"id":7,"result":"Succeeded","filesCompressed":4,"ratio":3.5},"totals":{"files":9}}}
            """
        let policy = try JSONDecoder().decode(BackupPolicy.self, from: Data(json.utf8))
        #expect(policy.metadata.generation == 3)
        #expect(policy.spec.workers == 2)
        #expect(policy.status?.lastRun?.filesCompressed == 4)
        #expect(policy.status?.totals?.files == 9)
        #expect(BackupPolicy.apiVersion == "pybak.io/v1alpha1")
        #expect(Lease.apiVersion == "coordination.k8s.io/v1")
        #expect(CronJob.apiVersion == "batch/v1")
    }
}
