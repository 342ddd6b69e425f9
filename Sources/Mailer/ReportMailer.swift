import Foundation
import Logging
import PyBakCore
import Transport

/// Mails a pass report through Transport's SMTP client.
public struct ReportMailer: Sendable {
    /// Server, credentials, sender, recipients and when to send.
    public let settings: EmailSettings

    /// Creates a mailer.
    public init(settings: EmailSettings) { self.settings = settings }

    /// Whether a pass with this outcome gets a mail under `settings.when`.
    /// - Parameters:
    ///   - failed: the pass was partial or failed.
    ///   - changed: files were compressed, deduplicated or failed.
    public func shouldSend(failed: Bool, changed: Bool) -> Bool {
        switch settings.when {
        case .always: return true
        case .failure: return failed
        case .changes: return failed || changed
        }
    }

    /// Sends the message.
    /// - Throws: `MailError` naming the server and what to do (a wrong password, TLS trouble, an unreadable password file).
    public func send(subject: String, text: String, html: String) throws {
        var password: String?
        if let file = settings.passwordFile {
            guard let raw = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw MailError(message: "cannot read the SMTP password file \(file); check --smtp-password-file")
            }
            password = raw.trimmingCharacters(in: .newlines)
        }
        let smtp = SMTPClient(settings: SMTPSettings(
            url: settings.smtpURL, user: settings.user, password: password, options: TransportOptions(caFile: settings.caFile, connectTimeout: 15, stallTimeout: 30),
            timeout: 60))
        let message = MIMEMessage(from: settings.from, to: settings.to, subject: subject, text: text, html: html)
        do {
            try smtp.send(from: EmailSettings.address(of: settings.from), recipients: settings.to, message: message.render())
        } catch let error as TransportError {
            var text = "\(error.endpoint): \(error.status.map { "reply \($0): " } ?? "")\(error.detail)"
            if error.kind == .tls { text += "; check the server's certificate (--smtp-ca-file) and that it offers STARTTLS" }
            throw MailError(message: text)
        }
    }
}

/// A report that could not be mailed; the backup itself is unaffected.
public struct MailError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    public var description: String { message }
}
