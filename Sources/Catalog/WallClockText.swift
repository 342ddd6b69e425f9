import PyBakCore

/// The current time as the catalog stores it.
enum WallClockText {
    static func now() -> String { WallClock.iso8601(WallClock.now()) }
    /// Seconds on a clock that never jumps.
    static func monotonic() -> Double { WallClock.monotonic() }
}
