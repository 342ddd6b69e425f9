import ArgumentParser
import PyBakCore

/// The report e-mail flags of `run` and `daemon` (spec.report.email).
struct EmailOptions: ParsableArguments {
    @Option(name: .customLong("smtp-url"), help: "Mail reports through smtp://host:587 (STARTTLS required) or smtps://host:465 (spec.report.email.smtpUrl). Env: PYBAK_SMTP_URL.")
    var smtpURL: String?

    @Option(name: .customLong("smtp-user"), help: "SMTP AUTH user (spec.report.email.user). Env: PYBAK_SMTP_USER.")
    var smtpUser: String?

    @Option(name: .customLong("smtp-password-file"), help: "File holding the SMTP password, e.g. a Gmail app password (spec.report.email.passwordFile).")
    var smtpPasswordFile: String?

    @Option(name: .customLong("email-from"), help: "Sender address (spec.report.email.from). Env: PYBAK_EMAIL_FROM.")
    var emailFrom: String?

    @Option(name: .customLong("email-to"), help: "Recipient (repeatable; spec.report.email.to). Env: PYBAK_EMAIL_TO (comma-separated).")
    var emailTo: [String] = []

    @Option(name: .customLong("email-when"), help: "always | failure | changes (default: when files were processed or anything failed).")
    var emailWhen: String?

    @Option(name: .customLong("smtp-ca-file"), help: "PEM bundle of CAs trusted for the SMTP server (spec.report.email.caFile).")
    var smtpCAFile: String?

    @Option(name: .customLong("smtp-secret-dir"), help: "Folder with files url, username, password (the mounted smtpSecretRef Secret). Env: PYBAK_SMTP_SECRET_DIR.")
    var smtpSecretDir: String?

    /// The values given, for `SettingsResolver`.
    var flags: EmailFlags {
        var flags = EmailFlags()
        flags.smtpURL = smtpURL
        flags.user = smtpUser
        flags.passwordFile = smtpPasswordFile
        flags.from = emailFrom
        flags.to = emailTo
        flags.when = emailWhen
        flags.caFile = smtpCAFile
        flags.secretDir = smtpSecretDir
        return flags
    }
}
