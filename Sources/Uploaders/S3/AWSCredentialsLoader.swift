import Foundation
import PyBakCore

/// Finds AWS credentials, first match wins:
/// 1. `credentialsDir` (a mounted Secret): files `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`;
/// 2. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`;
/// 3. the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`), profile
///    `profile` / `AWS_PROFILE` / `default`.
public enum AWSCredentialsLoader {
    /// Loads the credentials for a target.
    /// - Throws: `UploadError` naming where it looked and what to do.
    public static func load(for target: S3Target, environment: [String: String]) throws -> AWSCredentials {
        if let dir = target.credentialsDir { return try fromFolder(dir) }
        let id = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        if id != nil || secret != nil {
            guard let id, let secret else {
                throw UploadError(path: "environment", "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; set both (and AWS_SESSION_TOKEN for temporary credentials)")
            }
            return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]), source: "environment")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let file = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "\(home)/.aws/credentials"
        let profile = target.profile ?? nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        if FileManager.default.fileExists(atPath: file) { return try fromSharedFile(file, profile: profile) }
        throw UploadError(path: "s3://\(target.bucket)", """
            no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, write \(file) (profile [\(profile)]), \
            or pass --s3-credentials-dir DIR holding the files AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
            """)
    }

    /// Reads a folder of one-value files (a Kubernetes Secret mounted as a volume).
    static func fromFolder(_ dir: String) throws -> AWSCredentials {
        func read(_ name: String, required: Bool) throws -> String? {
            let path = "\(dir)/\(name)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                if required { throw UploadError(path: path, "cannot be read; the credentials folder must hold AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and optionally AWS_SESSION_TOKEN)") }
                return nil
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty && required { throw UploadError(path: path, "is empty; write the value into it") }
            return value.isEmpty ? nil : value
        }
        return AWSCredentials(
            accessKeyId: try read("AWS_ACCESS_KEY_ID", required: true)!, secretAccessKey: try read("AWS_SECRET_ACCESS_KEY", required: true)!,
            sessionToken: try read("AWS_SESSION_TOKEN", required: false), source: dir)
    }

    /// Reads one profile of an INI-style shared credentials file.
    static func fromSharedFile(_ path: String, profile: String) throws -> AWSCredentials {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UploadError(path: path, "cannot be read; fix its permissions or set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
        }
        var section: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == profile, let eq = line.firstIndex(of: "=") else { continue }
            values[line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        guard let id = nonEmpty(values["aws_access_key_id"]), let secret = nonEmpty(values["aws_secret_access_key"]) else {
            throw UploadError(path: path, "profile [\(profile)] has no aws_access_key_id and aws_secret_access_key; add them or choose another profile (AWS_PROFILE)")
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: nonEmpty(values["aws_session_token"]), source: "\(path) [\(profile)]")
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
