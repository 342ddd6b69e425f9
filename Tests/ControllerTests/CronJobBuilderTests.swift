import Foundation
import KubeClient
import KubeModels
import PyBakCore
import Testing

@testable import Controller

@Suite struct CronJobBuilderTests {
    @Test func defaultsOwnerAndConcurrency() throws {
        let cron = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker)
        #expect(cron.metadata.name == "invoices")
        #expect(cron.metadata.namespace == "finance")
        #expect(cron.spec.schedule == "*/2 * * * *")
        #expect(cron.spec.concurrencyPolicy == "Forbid")
        #expect(cron.spec.suspend == false)
        #expect(cron.spec.successfulJobsHistoryLimit == 3)
        #expect(cron.spec.failedJobsHistoryLimit == 1)
        let owner = try #require(cron.metadata.ownerReferences?.first)
        #expect(owner == OwnerReference(apiVersion: "pybak.io/v1alpha1", kind: "BackupPolicy", name: "invoices", uid: "uid-1", controller: true, blockOwnerDeletion: true))
        #expect(cron.metadata.labels?["pybak.io/policy"] == "invoices")
        #expect(cron.spec.jobTemplate.metadata?.labels?["pybak.io/policy"] == "invoices")
        #expect(cron.spec.jobTemplate.spec.completionMode == nil)
    }

    @Test func exitCodeTwoFailsTheJobAtOnceOtherFailuresRetryOnce() throws {
        let job = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker).spec.jobTemplate.spec
        #expect(job.backoffLimit == 1)
        let expected: JSONValue = .object(["rules": .array([.object([
            "action": .string("FailJob"),
            "onExitCodes": .object(["containerName": .string("worker"), "operator": .string("In"), "values": .array([.number(2)])]),
        ])])])
        #expect(job.podFailurePolicy == expected)
        #expect(job.template.spec.containers.map(\.name) == ["worker"])
    }

    @Test func podRunsTheWorkerWithVolumesAndRestrictedSecurity() throws {
        let cron = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(), worker: Fixtures.worker)
        let pod = cron.spec.jobTemplate.spec.template.spec
        let container = try #require(pod.containers.first)
        #expect(container.image == "pybak:test")
        #expect(container.args == ["worker", "--source", "/pybak/source", "--dest", "/pybak/destination"])
        #expect(container.volumeMounts?.first { $0.name == "source" } == VolumeMount(name: "source", mountPath: "/pybak/source", subPath: "incoming"))
        #expect(container.volumeMounts?.first { $0.name == "destination" }?.subPath == "backups")
        #expect(pod.volumes?.first { $0.name == "source" }?.source == ["persistentVolumeClaim": .object(["claimName": .string("inbox")])])
        #expect(pod.restartPolicy == "Never")
        #expect(pod.automountServiceAccountToken == false)
        #expect(pod.securityContext?.runAsNonRoot == true)
        #expect(pod.securityContext?.seccompProfile?.type == "RuntimeDefault")
        let security = try #require(container.securityContext)
        #expect(security.readOnlyRootFilesystem == true)
        #expect(security.allowPrivilegeEscalation == false)
        #expect(security.capabilities?.drop == ["ALL"])
        let database = try #require(container.env?.first { $0.name == "PYBAK_DATABASE_URL" })
        #expect(database.valueFrom == .object(["secretKeyRef": .object(["name": .string("pybak-database"), "key": .string("url")])]))
    }

    @Test func thePolicyTravelsAsJSONTheWorkerCanRead() throws {
        let policy = try Fixtures.policy("compression: {level: 9}\nsource: {volume: {emptyDir: {}}, include: ['*.csv']}")
        let cron = try CronJobBuilder.desiredCronJob(for: policy, worker: Fixtures.worker)
        let json = try #require(cron.spec.jobTemplate.spec.template.spec.containers[0].env?.first { $0.name == "PYBAK_POLICY_JSON" }?.value)
        let loaded = try PolicyFile.parse(json, origin: "PYBAK_POLICY_JSON")
        #expect(loaded.name == "invoices")
        #expect(loaded.namespace == "finance")
        #expect(loaded.spec == policy.spec)
    }

    @Test func workersMakeAnIndexedJob() throws {
        let cron = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy("workers: 4"), worker: Fixtures.worker)
        let job = cron.spec.jobTemplate.spec
        #expect(job.completionMode == "Indexed")
        #expect(job.completions == 4)
        #expect(job.parallelism == 4)
        #expect(job.template.spec.containers[0].env?.contains(EnvVar(name: "PYBAK_WORKERS", value: "4")) == true)
    }

    @Test func secretsAreMountedAsFiles() throws {
        let policy = try Fixtures.policy("""
            encryption: {keySecretRef: {name: pybak-key}}
            cloud: {s3: {bucket: b, credentialsSecretRef: {name: aws}}, gcs: {bucket: g, credentialsSecretRef: {name: gcp, key: sa.json}}}
            report: {email: {to: [ops@example.com], smtpSecretRef: {name: smtp}}}
            """)
        let pod = try CronJobBuilder.desiredCronJob(for: policy, worker: Fixtures.worker).spec.jobTemplate.spec.template.spec
        let secrets = (pod.volumes ?? []).compactMap { $0.source["secret"]?.at("secretName")?.text }
        #expect(secrets == ["pybak-key", "aws", "gcp", "smtp"])
        let env = Dictionary(uniqueKeysWithValues: (pod.containers[0].env ?? []).compactMap { e in e.value.map { (e.name, $0) } })
        #expect(env["PYBAK_ENCRYPTION_KEY_FILE"] == "/var/run/pybak/encryption/key")
        #expect(env["PYBAK_GCS_CREDENTIALS_FILE"] == "/var/run/pybak/gcs/sa.json")
        #expect(env["PYBAK_S3_CREDENTIALS_DIR"] == "/var/run/pybak/s3")
        #expect(env["PYBAK_SMTP_SECRET_DIR"] == "/var/run/pybak/smtp")
        #expect(pod.containers[0].volumeMounts?.filter { $0.readOnly == true }.count == 4)
    }

    @Test func scheduleSuspendLimitsAndPodSettingsPassThrough() throws {
        let policy = try Fixtures.policy("""
            schedule: "0 3 * * *"
            suspend: true
            successfulJobsHistoryLimit: 7
            failedJobsHistoryLimit: 2
            podTemplate: {nodeSelector: {disk: ssd}, resources: {limits: {memory: 256Mi}}, labels: {team: fin}, activeDeadlineSeconds: 600}
            """)
        let cron = try CronJobBuilder.desiredCronJob(for: policy, worker: Fixtures.worker)
        #expect(cron.spec.schedule == "0 3 * * *")
        #expect(cron.spec.suspend == true)
        #expect(cron.spec.successfulJobsHistoryLimit == 7)
        #expect(cron.spec.failedJobsHistoryLimit == 2)
        #expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds == 600)
        let template = cron.spec.jobTemplate.spec.template
        #expect(template.spec.nodeSelector == ["disk": "ssd"])
        #expect(template.metadata?.labels?["team"] == "fin")
        #expect(template.spec.containers[0].resources == .object(["limits": .object(["memory": .string("256Mi")])]))
    }

    @Test func longNamesAreShortenedStably() {
        let long = String(repeating: "a", count: 60)
        let name = CronJobBuilder.cronJobName(policy: long)
        #expect(name.count <= 52)
        #expect(name == CronJobBuilder.cronJobName(policy: long))
        #expect(name != CronJobBuilder.cronJobName(policy: long + "b"))
    }

    @Test func pureFunctionSameInputSameOutput() throws {
        let policy = try Fixtures.policy("workers: 2")
        #expect(try CronJobBuilder.desiredCronJob(for: policy, worker: Fixtures.worker) == CronJobBuilder.desiredCronJob(for: policy, worker: Fixtures.worker))
    }
}
