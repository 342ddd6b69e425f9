import PyBakCore

/// The Secrets a policy names, each mounted into the worker as files, and the variable that tells
/// the worker where to find them.
enum SecretFiles {
    /// One Secret mounted into the worker.
    struct Mount: Equatable {
        /// The volume name in the Pod.
        var volume: String
        /// The Secret's name (in the policy's namespace).
        var name: String
        /// Where the Secret's keys appear as files.
        var mountPath: String
        /// The variable the worker reads, and its value (a file or a folder under `mountPath`).
        var variable: String
        var value: String
    }

    /// Every Secret reference in a spec, with its field path.
    static func references(in spec: BackupPolicySpec) -> [(field: String, ref: (name: String, key: String?))] {
        var result: [(String, (String, String?))] = []
        if let ref = spec.encryption?.keySecretRef, let name = ref.at("name")?.text {
            result.append(("spec.encryption.keySecretRef.name", (name, ref.at("key")?.text ?? "key")))
        }
        if let ref = spec.cloud?.at("s3", "credentialsSecretRef"), let name = ref.at("name")?.text {
            result.append(("spec.cloud.s3.credentialsSecretRef.name", (name, nil)))
        }
        if let ref = spec.cloud?.at("gcs", "credentialsSecretRef"), let name = ref.at("name")?.text {
            result.append(("spec.cloud.gcs.credentialsSecretRef.name", (name, ref.at("key")?.text ?? "key.json")))
        }
        if let ref = spec.report?.at("email", "smtpSecretRef"), let name = ref.at("name")?.text {
            result.append(("spec.report.email.smtpSecretRef.name", (name, nil)))
        }
        return result.map { (field: $0.0, ref: (name: $0.1.0, key: $0.1.1)) }
    }

    /// The mounts for a spec, in a fixed order.
    static func mounts(for spec: BackupPolicySpec) -> [Mount] {
        let table: [String: (volume: String, variable: String)] = [
            "spec.encryption.keySecretRef.name": ("secret-encryption", "PYBAK_ENCRYPTION_KEY_FILE"),
            "spec.cloud.s3.credentialsSecretRef.name": ("secret-s3", "PYBAK_S3_CREDENTIALS_DIR"),
            "spec.cloud.gcs.credentialsSecretRef.name": ("secret-gcs", "PYBAK_GCS_CREDENTIALS_FILE"),
            "spec.report.email.smtpSecretRef.name": ("secret-smtp", "PYBAK_SMTP_SECRET_DIR"),
        ]
        return references(in: spec).compactMap { field, ref in
            guard let entry = table[field] else { return nil }
            let path = "\(CronJobBuilder.secretsRoot)/\(entry.volume.dropFirst("secret-".count))"
            return Mount(volume: entry.volume, name: ref.name, mountPath: path, variable: entry.variable, value: ref.key.map { "\(path)/\($0)" } ?? path)
        }
    }
}
