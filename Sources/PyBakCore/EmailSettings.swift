/// The report e-mail (`spec.report.email`, `--smtp-*`/`--email-*` flags).
public struct EmailSettings: Sendable, Equatable {
    /// When a report is mailed.
    public enum When: String, Sendable, Equatable, CaseIterable {
        /// After every pass.
        case always
        /// When the pass was partial or failed.
        case failure
        /// When files were processed or anything failed (the default: a quiet 2-minute schedule sends nothing).
        case changes
    }

    /// `smtp://host:587` (STARTTLS required) or `smtps://host:465`.
    public var smtpURL: String
    /// The AUTH user name.
    public var user: String?
    /// A file holding the AUTH password (a mounted Secret); never logged.
    public var passwordFile: String?
    /// The sender: `ops@example.com` or `PyBak <ops@example.com>`.
    public var from: String
    /// The recipients.
    public var to: [String]
    /// When to send.
    public var when: When
    /// A PEM bundle of trusted CAs for the SMTP server.
    public var caFile: String?

    /// Creates settings.
    public init(smtpURL: String, user: String? = nil, passwordFile: String? = nil, from: String, to: [String], when: When = .changes, caFile: String? = nil) {
        self.smtpURL = smtpURL
        self.user = user
        self.passwordFile = passwordFile
        self.from = from
        self.to = to
        self.when = when
        self.caFile = caFile
    }
}

extension EmailSettings {
    /// The bare address of `Name <address>` (or the text itself).
    public static func address(of mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else { return mailbox }
        return String(mailbox[mailbox.index(after: open)..<close])
    }
}

/// The `--smtp-*` and `--email-*` flags; nil or empty means "not given".
public struct EmailFlags: Sendable, Equatable {
    public var smtpURL: String?
    public var user: String?
    public var passwordFile: String?
    public var from: String?
    public var to: [String] = []
    public var when: String?
    public var caFile: String?
    /// A folder with the files `url`, `username`, `password` (the mounted `smtpSecretRef` Secret).
    public var secretDir: String?

    /// No flags.
    public init() {}
}
