import Foundation
import KubeClient
import KubeModels
import PyBakCore

/// The CronJob a BackupPolicy should have: a pure function of the policy and the worker template.
public enum CronJobBuilder {
    /// The schedule when the policy gives none.
    public static let defaultSchedule = "*/2 * * * *"
    /// Label on every object made for a policy, whose value is the policy's name (the owner selector).
    public static let policyLabel = "pybak.io/policy"
    /// Where the source volume is mounted in the worker.
    public static let sourceMount = "/pybak/source"
    /// Where the destination volume is mounted in the worker.
    public static let destinationMount = "/pybak/destination"
    /// Where Secrets are mounted as files.
    public static let secretsRoot = "/var/run/pybak"
    /// The variable carrying the whole policy (JSON) into the worker.
    public static let policyVariable = "PYBAK_POLICY_JSON"
    /// The worker container's name.
    public static let containerName = "worker"
    /// The worker's exit code for a bad policy or usage: the Job fails at once instead of retrying.
    public static let configExitCode = 2

    /// The labels that select everything made for a policy.
    public static func selectorLabels(policy: String) -> [String: String] {
        ["app.kubernetes.io/name": "pybak", "app.kubernetes.io/component": "worker", "app.kubernetes.io/managed-by": "pybak-controller", policyLabel: policy]
    }

    /// The CronJob's name: the policy's, shortened with a hash when too long for the Jobs it makes
    /// (a CronJob name may have at most 52 characters).
    public static func cronJobName(policy: String) -> String {
        guard policy.count > 52 else { return policy }
        let hash = String(StableHash.fnv1a64(policy) & 0xffff_ffff, radix: 16)
        return "\(policy.prefix(43).trimmingSuffix("-"))-\(hash)"
    }

    /// The desired CronJob.
    /// - Parameters:
    ///   - policy: the BackupPolicy (with `metadata.uid` when it came from the cluster).
    ///   - worker: image and database settings of the deployment.
    /// - Throws: `PyBakError.config` when the spec cannot be encoded (never for a decoded spec).
    public static func desiredCronJob(for policy: BackupPolicy, worker: WorkerTemplate) throws -> CronJob {
        let name = policy.metadata.name ?? "policy"
        let namespace = policy.metadata.namespace ?? "default"
        let spec = policy.spec
        let labels = selectorLabels(policy: name)
        let podSettings = spec.podTemplate

        var owners: [OwnerReference]?
        if let uid = policy.metadata.uid {
            owners = [OwnerReference(apiVersion: BackupPolicy.apiVersion, kind: BackupPolicy.kind, name: name, uid: uid, controller: true, blockOwnerDeletion: true)]
        }

        var podLabels = labels
        for (key, value) in podSettings?.at("labels")?.members ?? [:] { if let text = value.text, podLabels[key] == nil { podLabels[key] = text } }
        var podAnnotations: [String: String] = [:]
        for (key, value) in podSettings?.at("annotations")?.members ?? [:] { if let text = value.text { podAnnotations[key] = text } }

        var job = JobSpec(template: PodTemplateSpec(
            metadata: ObjectMeta(labels: podLabels, annotations: podAnnotations.isEmpty ? nil : podAnnotations),
            spec: try podSpec(policy: policy, name: name, namespace: namespace, worker: worker)))
        let workers = spec.workers ?? 1
        if workers > 1 {
            job.completionMode = "Indexed"
            job.completions = workers
            job.parallelism = workers
        }
        job.backoffLimit = 1
        if case .number(let seconds)? = podSettings?.at("activeDeadlineSeconds") { job.activeDeadlineSeconds = Int64(seconds) }
        job.podFailurePolicy = .object(["rules": .array([.object([
            "action": .string("FailJob"),
            "onExitCodes": .object(["containerName": .string(containerName), "operator": .string("In"), "values": .array([.number(Double(configExitCode))])]),
        ])])])

        var cronSpec = CronJobSpec(schedule: spec.schedule ?? defaultSchedule, jobTemplate: JobTemplateSpec(metadata: ObjectMeta(labels: labels), spec: job))
        cronSpec.suspend = spec.suspend ?? false
        cronSpec.concurrencyPolicy = "Forbid"
        cronSpec.startingDeadlineSeconds = 100
        cronSpec.successfulJobsHistoryLimit = spec.successfulJobsHistoryLimit ?? 3
        cronSpec.failedJobsHistoryLimit = spec.failedJobsHistoryLimit ?? 1
        return CronJob(metadata: ObjectMeta(name: cronJobName(policy: name), namespace: namespace, labels: labels, ownerReferences: owners), spec: cronSpec)
    }

    private static func podSpec(policy: BackupPolicy, name: String, namespace: String, worker: WorkerTemplate) throws -> PodSpec {
        let spec = policy.spec
        var container = Container(name: containerName, image: worker.image)
        container.imagePullPolicy = worker.imagePullPolicy
        container.args = ["worker", "--source", sourceMount, "--dest", destinationMount]
        var env = [
            EnvVar(name: policyVariable, value: try policyJSON(policy, name: name, namespace: namespace)),
            EnvVar(name: "PYBAK_POLICY", value: "\(namespace)/\(name)"),
            EnvVar(name: "PYBAK_WORKERS", value: "\(spec.workers ?? 1)"),
        ]
        if let level = worker.logLevel { env.append(EnvVar(name: "PYBAK_LOG_LEVEL", value: level)) }
        if let database = worker.databaseSecret {
            env.append(EnvVar(name: "PYBAK_DATABASE_URL", secretName: database.name, key: database.key))
        }
        var mounts = [
            VolumeMount(name: "source", mountPath: sourceMount, subPath: subPath(spec.source?.path)),
            VolumeMount(name: "destination", mountPath: destinationMount, subPath: subPath(spec.destination?.path)),
            VolumeMount(name: "tmp", mountPath: "/tmp"),
        ]
        var volumes = [
            Volume(name: "source", source: spec.source?.volume?.members ?? [:]),
            Volume(name: "destination", source: spec.destination?.volume?.members ?? [:]),
            Volume(name: "tmp", source: ["emptyDir": .object(["sizeLimit": .string("64Mi")])]),
        ]
        for secret in SecretFiles.mounts(for: spec) {
            volumes.append(Volume(name: secret.volume, source: ["secret": .object(["secretName": .string(secret.name), "defaultMode": .number(0o440)])]))
            mounts.append(VolumeMount(name: secret.volume, mountPath: secret.mountPath, readOnly: true))
            env.append(EnvVar(name: secret.variable, value: secret.value))
        }
        container.env = env
        container.volumeMounts = mounts
        container.resources = spec.podTemplate?.at("resources")
        var security = SecurityContext()
        security.runAsNonRoot = true
        security.readOnlyRootFilesystem = true
        security.allowPrivilegeEscalation = false
        security.capabilities = Capabilities(drop: ["ALL"])
        security.seccompProfile = SeccompProfile(type: "RuntimeDefault")
        container.securityContext = security

        var pod = PodSpec(containers: [container])
        pod.volumes = volumes
        pod.restartPolicy = "Never"
        pod.automountServiceAccountToken = false
        var podSecurity = PodSecurityContext()
        podSecurity.runAsNonRoot = true
        podSecurity.runAsUser = 65532
        podSecurity.runAsGroup = 65532
        podSecurity.fsGroup = 65532
        podSecurity.seccompProfile = SeccompProfile(type: "RuntimeDefault")
        pod.securityContext = podSecurity
        let settings = spec.podTemplate
        if let selector = settings?.at("nodeSelector")?.members {
            pod.nodeSelector = selector.compactMapValues { $0.text }
        }
        pod.tolerations = settings?.at("tolerations")
        pod.affinity = settings?.at("affinity")
        pod.priorityClassName = settings?.at("priorityClassName")?.text
        pod.serviceAccountName = settings?.at("serviceAccountName")?.text
        pod.imagePullSecrets = settings?.at("imagePullSecrets")
        return pod
    }

    /// The policy as the worker reads it: apiVersion, kind, name, namespace and spec, as compact JSON.
    static func policyJSON(_ policy: BackupPolicy, name: String, namespace: String) throws -> String {
        struct Carried: Encodable {
            var apiVersion = BackupPolicyDocument.apiVersion
            var kind = BackupPolicyDocument.kind
            var metadata: [String: String]
            var spec: BackupPolicySpec
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Carried(metadata: ["name": name, "namespace": namespace], spec: policy.spec))
        return String(decoding: data, as: UTF8.self)
    }

    /// A volume sub-path: the policy's path without leading `./` and trailing `/`; nil for the volume's root.
    static func subPath(_ path: String?) -> String? {
        guard var path else { return nil }
        while path.hasSuffix("/") { path.removeLast() }
        while path.hasPrefix("./") { path.removeFirst(2) }
        return path.isEmpty || path == "." ? nil : path
    }
}

extension Substring {
    func trimmingSuffix(_ character: Character) -> Substring {
        var result = self
        while result.last == character { result = result.dropLast() }
        return result
    }
}
