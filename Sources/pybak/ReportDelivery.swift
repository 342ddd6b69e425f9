import BackupPipeline
import Catalog
import Logging
import Mailer
import PyBakCore

/// Mails a finished pass's report when the settings ask for it. A failure to send never fails the backup:
/// it is logged, recorded in the run (`runs.email_status`) and written into the report files.
enum ReportDelivery {
    static func deliver(_ result: inout PassResult, settings: PassSettings, catalog: any Catalog & ReportDeliveryLog, logger: Logger) {
        guard let email = settings.email else { return }
        let mailer = ReportMailer(settings: email)
        do {
            guard var report = try PassReport.load(runId: result.runId, from: catalog) else { return }
            report.durationSeconds = result.durationSeconds
            guard mailer.shouldSend(failed: report.hasFailures, changed: report.hasChanges) else {
                logger.debug("report not mailed", metadata: ["email.when": "\(email.when.rawValue)"])
                return
            }
            var status: String
            do {
                try mailer.send(subject: report.subject, text: try report.text, html: try report.html)
                status = "sent to \(email.to.joined(separator: ", "))"
                logger.info("report mailed", metadata: ["email.to": "\(email.to.joined(separator: ","))", "smtp.url": "\(email.smtpURL)"])
            } catch {
                status = "not sent: \(error)"
                logger.error("report could not be mailed; the backup itself is unaffected", metadata: ["smtp.url": "\(email.smtpURL)", "reason": "\(error)"])
            }
            try catalog.recordEmail(runId: result.runId, status: status)
            report.email = status
            result.reportPaths = try ReportWriter.write(report, folder: "\(settings.destinationDir)/\(PassSettings.stateFolderName)/reports")
        } catch {
            logger.error("could not record the report e-mail", metadata: ["reason": "\(error)"])
        }
    }
}
