/// An informer's count of failures in a row, from which `InformerSettings.delay(afterFailures:retryAfter:random:)`
/// makes the wait before its next attempt.
///
/// A successful list or a watch that worked starts the count afresh, so failures long past do not lengthen the
/// wait after the next one. One exception keeps a server whose history does not cover even list-then-watch from
/// causing a relist loop at the base delay: while the last list's watch expired at once, lists do not reset it.
struct InformerBackoff: Sendable {
    /// What a watch did before it ended.
    struct Watch: Sendable {
        /// It started from the version of a list made just before.
        var afterList: Bool
        /// It delivered an event or bookmark.
        var delivered: Bool
        /// How long it was open.
        var lasted: Duration
    }

    /// A 410 sooner than this after a list, with nothing delivered, means the list's version was already too old.
    static let expiredAtOnceWithin = Duration.seconds(1)

    /// A watch that delivers nothing and ends sooner than this did not work.
    let minimumHealthyWatch: Duration
    /// Failures in a row: 0 after a success.
    private(set) var failures = 0
    /// The last list's watch expired at once (lists do not reset `failures` until a watch works).
    private(set) var expiredAtOnce = false

    init(minimumHealthyWatch: Double) {
        self.minimumHealthyWatch = .seconds(minimumHealthyWatch)
    }

    /// Whether a watch worked: it delivered something or stayed open for `minimumHealthyWatch`.
    func worked(_ watch: Watch?) -> Bool {
        guard let watch else { return false }
        return watch.delivered || watch.lasted >= minimumHealthyWatch
    }

    /// A list succeeded.
    mutating func listed() {
        if !expiredAtOnce { failures = 0 }
    }

    /// A watch ended without an error (the server's `timeoutSeconds`, the client deadline, or a server that
    /// closes watches early). Returns whether it counts as a success (the informer then watches again at once).
    mutating func watchEnded(_ watch: Watch) -> Bool {
        if worked(watch) {
            failures = 0
            expiredAtOnce = false
            return true
        }
        failures += 1
        return false
    }

    /// A list or watch failed (`watch` nil: the list did); `expired` for 410. After a watch that worked this is
    /// failure 1, otherwise one more.
    mutating func failed(_ watch: Watch?, expired: Bool) {
        let worked = worked(watch)
        if let watch, expired {
            expiredAtOnce = watch.afterList && !watch.delivered && watch.lasted < Self.expiredAtOnceWithin
        } else if worked {
            expiredAtOnce = false
        }
        failures = worked ? 1 : failures + 1
    }
}
