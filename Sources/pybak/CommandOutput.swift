import Foundation
import Logging

/// JSON printing shared by the catalog commands.
enum CommandOutput {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `{"summary": ..., "items": [...]}`.
    static func json<S: Encodable, T: Encodable>(_ summary: S, items: [T]) throws -> String {
        String(decoding: try encoder().encode(SummaryDocument(summary: summary, items: items)), as: UTF8.self)
    }
}

/// The JSON shape of restore and verify output.
struct SummaryDocument<A: Encodable, B: Encodable>: Encodable {
    var summary: A
    var items: [B]
}

/// The stderr logger of the catalog commands: quiet unless PYBAK_LOG_LEVEL asks (their results go to stdout).
enum CommandLog {
    static func logger(environment: [String: String] = ProcessInfo.processInfo.environment) -> Logger {
        let level = environment["PYBAK_LOG_LEVEL"].flatMap(LogLevels.parse) ?? .critical
        return LogSetup.logger(stderrLevel: level, logFile: nil, catalogBuffer: nil, progress: nil)
    }
}
