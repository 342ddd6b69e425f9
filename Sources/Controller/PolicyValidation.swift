import PyBakCore

/// Checks a BackupPolicy's spec for what the cluster needs, before any CronJob is made from it.
/// The CRD's schema catches most of this at `kubectl apply`; this check is what stands when the
/// CRD is older than the controller or its validation was bypassed.
public enum PolicyValidation {
    /// The problems of a spec; empty when the controller can act on it.
    public static func problems(of spec: BackupPolicySpec, name: String) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        if let schedule = spec.schedule {
            do { _ = try CronSchedule(schedule) } catch { problems.append(SpecProblem("spec.schedule", "\(error)")) }
        }
        problems += volumeProblems(spec.source?.volume, path: spec.source?.path, field: "spec.source")
        problems += volumeProblems(spec.destination?.volume, path: spec.destination?.path, field: "spec.destination")
        for (index, text) in (spec.source?.include ?? []).enumerated() {
            do { _ = try GlobPattern(text) } catch { problems.append(SpecProblem("spec.source.include[\(index)]", "\(error)")) }
        }
        for (index, text) in (spec.source?.exclude ?? []).enumerated() {
            do { _ = try GlobPattern(text) } catch { problems.append(SpecProblem("spec.source.exclude[\(index)]", "\(error)")) }
        }
        if let minAge = spec.source?.minAge {
            do { _ = try DurationText.seconds(minAge, field: "spec.source.minAge") } catch {
                problems.append(SpecProblem("spec.source.minAge", "'\(minAge)' is not a duration; write 10s, 2m or 1h30m"))
            }
        }
        if let format = spec.compression?.format, StorageFormat(rawValue: format) == nil {
            problems.append(SpecProblem("spec.compression.format", "'\(format)' is not a format; use gzip, zip or tar.gz"))
        }
        problems += range(spec.compression?.level, 1...9, "spec.compression.level")
        problems += range(spec.parallelism, 1...256, "spec.parallelism")
        problems += range(spec.workers, 1...100, "spec.workers")
        problems += range(spec.successfulJobsHistoryLimit, 0...100, "spec.successfulJobsHistoryLimit")
        problems += range(spec.failedJobsHistoryLimit, 0...100, "spec.failedJobsHistoryLimit")
        for (field, ref) in SecretFiles.references(in: spec) where ref.name.isEmpty {
            problems.append(SpecProblem(field, "names no Secret; set name to a Secret in the policy's namespace"))
        }
        if spec.encryption != nil && spec.encryption?.keySecretRef?.at("name")?.text == nil {
            problems.append(SpecProblem("spec.encryption.keySecretRef.name", "is required; name the Secret holding the key"))
        }
        if let email = spec.report?.at("email"), email.at("smtpSecretRef", "name")?.text == nil {
            problems.append(SpecProblem("spec.report.email.smtpSecretRef.name", "is required; name the Secret with the SMTP url, username and password"))
        }
        if let gcs = spec.cloud?.at("gcs"), gcs.at("credentialsSecretRef", "name")?.text == nil {
            problems.append(SpecProblem("spec.cloud.gcs.credentialsSecretRef.name", "is required; name the Secret holding the service-account JSON key"))
        }
        if !DNSName.isValid(name) {
            problems.append(SpecProblem("metadata.name", "'\(name)' is not a DNS-1123 name; use lower-case letters, digits and '-'"))
        }
        return problems
    }

    private static func volumeProblems(_ volume: JSONValue?, path: String?, field: String) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        if let volume {
            if let members = volume.members {
                if members.count != 1 {
                    problems.append(SpecProblem("\(field).volume", "holds \(members.count) volume sources; give exactly one, like {persistentVolumeClaim: {claimName: inbox}}"))
                }
            } else {
                problems.append(SpecProblem("\(field).volume", "must be a volume source object, like {persistentVolumeClaim: {claimName: inbox}}"))
            }
        } else {
            problems.append(SpecProblem("\(field).volume", "is required in a cluster; give a volume source, like {persistentVolumeClaim: {claimName: inbox}}"))
        }
        if let path {
            let parts = path.split(separator: "/")
            if path.hasPrefix("/") || parts.contains("..") {
                problems.append(SpecProblem("\(field).path", "'\(path)' must be a relative path inside the volume without '..'"))
            }
        }
        return problems
    }

    private static func range(_ value: Int?, _ range: ClosedRange<Int>, _ field: String) -> [SpecProblem] {
        guard let value, !range.contains(value) else { return [] }
        return [SpecProblem(field, "\(value) is out of range; use \(range.lowerBound) to \(range.upperBound)")]
    }
}

/// DNS-1123 names, as Kubernetes requires for object names.
enum DNSName {
    static func isValid(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            return label.allSatisfy { $0.isLowercase && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "-" }
                && first != "-" && last != "-"
        }
    }
}
