/// The condition types and reasons a BackupPolicy's status carries.
public enum PolicyConditions {
    public static let ready = "Ready"
    public static let progressing = "Progressing"
    public static let degraded = "Degraded"

    /// The spec cannot be turned into a CronJob.
    public static let invalidSpec = "InvalidSpec"
    /// The newest finished run failed; an earlier one succeeded.
    public static let lastRunFailed = "LastRunFailed"
    /// Runs have finished, and none succeeded.
    public static let neverSucceeded = "NeverSucceeded"
    /// A CronJob of the same name belongs to something else.
    public static let cronJobConflict = "CronJobConflict"
    /// The CronJob is in place and runs on schedule.
    public static let scheduled = "Scheduled"
    /// The CronJob is in place and suspended.
    public static let suspended = "Suspended"
    /// A run is in progress.
    public static let jobRunning = "JobRunning"
    /// No run is in progress.
    public static let idle = "Idle"
    /// The newest finished run succeeded.
    public static let lastRunSucceeded = "LastRunSucceeded"
    /// No run has finished yet.
    public static let noRunsYet = "NoRunsYet"
}
