extension SettingsResolver {
    static let emailKeys: Set<String> = ["smtpUrl", "user", "passwordFile", "from", "to", "when", "caFile", "smtpSecretRef"]

    /// Resolves `spec.report.email` under the flags, over `PYBAK_SMTP_*` / `PYBAK_EMAIL_*` variables.
    /// - Throws: `PyBakError.config` naming the key and what is wrong.
    static func resolveEmail(spec: BackupPolicySpec, flags: EmailFlags, environment: [String: String]) throws -> EmailSettings? {
        var fields: [String: JSONValue] = [:]
        if let report = spec.report {
            guard case .object(let sections) = report else { throw PyBakError(.config, "spec.report: expected a mapping with email") }
            for (key, value) in sections {
                guard key == "email" else { throw PyBakError(.config, "spec.report.\(key) is not a setting; use spec.report.email") }
                guard case .object(let email) = value else { throw PyBakError(.config, "spec.report.email: expected a mapping (smtpUrl, from, to, when, ...)") }
                for name in email.keys where !emailKeys.contains(name) {
                    throw PyBakError(.config, "spec.report.email.\(name) is not a setting; use one of \(emailKeys.sorted().joined(separator: ", "))")
                }
                fields = email
            }
        }
        func env(_ key: String) -> String? {
            guard let value = environment[key], !value.isEmpty else { return nil }
            return value
        }
        func string(_ key: String) throws -> String? {
            switch fields[key] {
            case nil, .null: return nil
            case .string(let value): return value
            default: throw PyBakError(.config, "spec.report.email.\(key): expected a string")
            }
        }
        var recipients = flags.to
        if recipients.isEmpty {
            switch fields["to"] {
            case .string(let one): recipients = [one]
            case .array(let many):
                recipients = try many.map {
                    guard case .string(let address) = $0 else { throw PyBakError(.config, "spec.report.email.to: expected a list of addresses") }
                    return address
                }
            case nil, .null: recipients = env("PYBAK_EMAIL_TO").map { $0.split(separator: ",").map { String($0).trimmed(" ") } } ?? []
            default: throw PyBakError(.config, "spec.report.email.to: expected an address or a list of addresses")
            }
        }
        // A mounted Secret (spec.report.email.smtpSecretRef in a cluster): files url, username, password.
        let secretDir = flags.secretDir ?? env("PYBAK_SMTP_SECRET_DIR")
        func secret(_ name: String) throws -> String? {
            guard let secretDir else { return nil }
            let path = "\(secretDir)/\(name)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                if name == "url" { throw PyBakError(.config, "\(path) cannot be read; the SMTP Secret must hold url (and username, password)") }
                return nil
            }
            let value = text.trimmed(" \n\r\t")
            return value.isEmpty ? nil : value
        }
        let url = try flags.smtpURL ?? string("smtpUrl") ?? env("PYBAK_SMTP_URL") ?? secret("url")
        guard let url else {
            if !recipients.isEmpty || fields.keys.contains(where: { $0 != "smtpSecretRef" }) || flags.from != nil {
                throw PyBakError(.config, "an e-mail report was asked for without a server; pass --smtp-url smtp://host:587 or set spec.report.email.smtpUrl")
            }
            return nil
        }
        guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://") else {
            throw PyBakError(.config, "spec.report.email.smtpUrl '\(url)' must start with smtp:// (STARTTLS) or smtps:// (implicit TLS), e.g. smtp://smtp.gmail.com:587")
        }
        guard !recipients.isEmpty else { throw PyBakError(.config, "spec.report.email.to is empty; give at least one recipient (--email-to ADDRESS)") }
        guard let from = try flags.from ?? string("from") ?? env("PYBAK_EMAIL_FROM") else {
            throw PyBakError(.config, "spec.report.email.from is missing; give the sender address (--email-from ADDRESS)")
        }
        for address in recipients + [EmailSettings.address(of: from)] where !isAddress(address) {
            throw PyBakError(.config, "e-mail address '\(address)' is not an address like ops@example.com (spec.report.email)")
        }
        let whenText = try flags.when ?? string("when") ?? env("PYBAK_EMAIL_WHEN") ?? "changes"
        guard let when = EmailSettings.When(rawValue: whenText) else {
            throw PyBakError(.config, "spec.report.email.when '\(whenText)' is not always, failure or changes")
        }
        return EmailSettings(
            smtpURL: url, user: try flags.user ?? string("user") ?? env("PYBAK_SMTP_USER") ?? secret("username"),
            passwordFile: try flags.passwordFile ?? string("passwordFile") ?? env("PYBAK_SMTP_PASSWORD_FILE")
                ?? (try secret("password")).map { _ in "\(secretDir!)/password" },
            from: from, to: recipients, when: when, caFile: try flags.caFile ?? string("caFile") ?? env("PYBAK_SMTP_CA_FILE"))
    }

    private static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains(" ") && !text.contains("<") && !text.contains(">")
    }
}
