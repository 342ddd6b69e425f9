import Catalog
import Foundation
import Logging
import PyBakCore

typealias LogLevelChoice = Logger.Level

/// Parses level names.
enum LogLevels {
    static func parse(_ text: String) -> Logger.Level? {
        Logger.Level(rawValue: text.lowercased())
    }
}

/// Where a `LineLogHandler` writes: a file descriptor shared by every copy of the handler.
final class LineSink: Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private let ownsDescriptor: Bool

    /// stderr.
    static let standardError = LineSink(fd: 2, owns: false)

    private init(fd: Int32, owns: Bool) {
        self.fd = fd
        self.ownsDescriptor = owns
    }

    /// Opens a log file for appending, creating its folder.
    static func appending(to path: String) throws -> LineSink {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PyBakError(.destination, "cannot open the log file \(path): \(String(cString: strerror(errno))); pass --log-file or fix its folder's permissions")
        }
        return LineSink(fd: fd, owns: true)
    }

    deinit { if ownsDescriptor { close(fd) } }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0a)
        lock.lock()
        defer { lock.unlock() }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Writes text without a newline (for the progress line).
    func writeRaw(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        _ = text.utf8CString.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count - 1) }
    }
}

/// A swift-log handler writing one logfmt line per event:
/// `2026-11-27T03:54:00.123Z info file stored policy.name=local run.id=3 file.path=a.csv`.
struct LineLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    private let sink: LineSink
    private let progress: ProgressLine?

    init(sink: LineSink, level: Logger.Level, progress: ProgressLine? = nil) {
        self.sink = sink
        self.logLevel = level
        self.progress = progress
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "\(WallClock.iso8601(WallClock.now())) \(event.level.rawValue) \(event.message)"
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.value("\(merged[key]!)"))"
        }
        progress?.clear()
        sink.write(line)
    }

    static func value(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
        return needsQuotes ? LogMetadataJSON.quote(text) : text
    }
}

/// Builds the logger of a command: stderr, the log file, and the catalog.
enum LogSetup {
    static func logger(stderrLevel: Logger.Level, logFile: LineSink?, catalogBuffer: CatalogLogBuffer?, progress: ProgressLine?) -> Logger {
        Logger(label: "pybak") { _ in
            var handlers: [any LogHandler] = [LineLogHandler(sink: .standardError, level: stderrLevel, progress: progress)]
            if let logFile { handlers.append(LineLogHandler(sink: logFile, level: .info)) }
            if let catalogBuffer { handlers.append(CatalogLogHandler(buffer: catalogBuffer, level: .info)) }
            return MultiplexLogHandler(handlers)
        }
    }
}
