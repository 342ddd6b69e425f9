import PyBakCore

/// The current time as the catalog stores it.
enum WallClockText {
    static func now() -> String { WallClock.iso8601(WallClock.now()) }
}
