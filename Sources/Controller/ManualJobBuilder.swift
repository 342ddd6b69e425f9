import KubeModels
import PyBakCore

/// The Job a manual trigger (`POST /compress` in a cluster) makes from a policy's CronJob: what
/// `kubectl create job --from=cronjob/NAME` makes, plus who asked and why.
///
/// A pure function of the CronJob (as the API server returned it, untyped so that no field is lost)
/// and the request.
public enum ManualJobBuilder {
    /// Set by `kubectl create job --from` too; the controller reports such runs as manual.
    public static let instantiateAnnotation = "cronjob.kubernetes.io/instantiate"
    /// The token's subject of whoever asked.
    public static let requestedByAnnotation = "pybak.io/requested-by"
    /// Why, when the caller said.
    public static let reasonAnnotation = "pybak.io/reason"
    /// The caller's `Idempotency-Key`, when given.
    public static let idempotencyKeyAnnotation = "pybak.io/idempotency-key"
    /// The worker reads these to record the run's trigger (`api`) and requester.
    public static let triggerVariable = "PYBAK_TRIGGER"
    public static let requestedByVariable = "PYBAK_REQUESTED_BY"

    /// Who asked, why, and the retry key.
    public struct Request: Sendable, Equatable {
        public var requestedBy: String
        public var reason: String?
        public var idempotencyKey: String?

        /// Creates a request.
        public init(requestedBy: String, reason: String?, idempotencyKey: String?) {
            self.requestedBy = requestedBy
            self.reason = reason
            self.idempotencyKey = idempotencyKey
        }
    }

    /// `<cronjob>-manual-<id>`, at most 63 characters (a Job name becomes a label value).
    /// - Parameter id: the request's short id (`shortId`).
    public static func jobName(cronJob: String, id: String) -> String {
        let room = 63 - "-manual-".count - id.count
        let base = cronJob.count > room ? String(cronJob.prefix(room).trimmingSuffix("-")) : cronJob
        return "\(base)-manual-\(id)"
    }

    /// The short id of a request: derived from the caller and its `Idempotency-Key` (so a retry, on any
    /// replica, names the same Job), else random.
    public static func shortId<G: RandomNumberGenerator>(requestedBy: String, idempotencyKey: String?, random: inout G) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        if let idempotencyKey {
            var hash = StableHash.fnv1a64("\(requestedBy)\u{0}\(idempotencyKey)")
            var id = ""
            for _ in 0..<8 {
                id.append(alphabet[Int(hash % UInt64(alphabet.count))])
                hash /= UInt64(alphabet.count)
            }
            return id
        }
        return String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
    }

    /// The Job for a CronJob read from the API server.
    /// - Parameters:
    ///   - cronJob: the CronJob object (with `metadata.name`, `namespace`, `uid` and `spec.jobTemplate`).
    ///   - name: the Job's name (`jobName`).
    ///   - request: who asked, why, the retry key.
    /// - Throws: `ManualJobError` when the CronJob lacks what a Job needs.
    public static func job(from cronJob: JSONValue, name: String, request: Request) throws(ManualJobError) -> JSONValue {
        guard let cronName = cronJob.at("metadata", "name")?.text, let namespace = cronJob.at("metadata", "namespace")?.text,
              let uid = cronJob.at("metadata", "uid")?.text
        else { throw ManualJobError("the CronJob has no metadata.name, namespace or uid") }
        guard var spec = cronJob.at("spec", "jobTemplate", "spec")?.members else {
            throw ManualJobError("the CronJob \(namespace)/\(cronName) has no spec.jobTemplate.spec")
        }
        let template = cronJob.at("spec", "jobTemplate", "metadata")
        var labels = template?.member("labels")?.members ?? [:]
        labels = labels.filter { $0.value.text != nil }
        var annotations = (template?.member("annotations")?.members ?? [:]).filter { $0.value.text != nil }
        annotations[instantiateAnnotation] = .string("manual")
        annotations[requestedByAnnotation] = .string(request.requestedBy)
        if let reason = request.reason { annotations[reasonAnnotation] = .string(reason) }
        if let key = request.idempotencyKey { annotations[idempotencyKeyAnnotation] = .string(key) }

        spec["template"] = withWorkerEnvironment(spec["template"], request: request)
        let owner: JSONValue = .object([
            "apiVersion": .string(CronJob.apiVersion), "kind": .string(CronJob.kind), "name": .string(cronName), "uid": .string(uid),
            "controller": .bool(true),
        ])
        return .object([
            "apiVersion": .string(Job.apiVersion), "kind": .string(Job.kind),
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace), "labels": .object(labels), "annotations": .object(annotations),
                "ownerReferences": .array([owner]),
            ]),
            "spec": .object(spec),
        ])
    }

    /// Adds the trigger and requester to the worker container's environment.
    static func withWorkerEnvironment(_ template: JSONValue?, request: Request) -> JSONValue? {
        guard var pod = template?.members, var podSpec = pod["spec"]?.members, case .array(let containers)? = podSpec["containers"] else {
            return template
        }
        podSpec["containers"] = .array(containers.map { container in
            guard var fields = container.members, fields["name"]?.text == CronJobBuilder.containerName else { return container }
            var env: [JSONValue] = []
            if case .array(let existing)? = fields["env"] { env = existing }
            let ours: Set<String> = [triggerVariable, requestedByVariable]
            env.removeAll { ours.contains($0.member("name")?.text ?? "") }
            env.append(.object(["name": .string(triggerVariable), "value": .string("api")]))
            env.append(.object(["name": .string(requestedByVariable), "value": .string(request.requestedBy)]))
            fields["env"] = .array(env)
            return .object(fields)
        })
        pod["spec"] = .object(podSpec)
        return .object(pod)
    }

    /// True while a Job has not finished (no `Complete` or `Failed` condition that is `True`).
    public static func isActive(_ job: Job) -> Bool {
        let finished = job.status?.conditions?.contains { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" } ?? false
        return !finished
    }
}

/// A CronJob that cannot be turned into a Job.
public struct ManualJobError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
