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
///
/// A log file is written through a buffer: lines reach the file when 64 KiB wait, when a line at
/// `warning` or above arrives, when a second has passed since the last write, on `flush()` and when the
/// sink goes away (a pass logs a line per file; a write per line was a tenth of a small-file pass).
/// stderr is written line by line.
final class LineSink: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private let ownsDescriptor: Bool
    private let buffered: Bool
    private var pending: [UInt8] = []
    private var lastWrite = WallClock.monotonic()

    /// Bytes a buffered sink holds at most before writing.
    static let bufferLimit = 64 * 1024
    /// Seconds a buffered line waits at most (checked when the next line comes).
    static let maxDelay = 1.0

    /// stderr.
    static let standardError = LineSink(fd: 2, owns: false, buffered: false)

    private init(fd: Int32, owns: Bool, buffered: Bool) {
        self.fd = fd
        self.ownsDescriptor = owns
        self.buffered = buffered
        if buffered { pending.reserveCapacity(Self.bufferLimit + 4096) }
    }

    /// Opens a log file for appending, creating its folder.
    static func appending(to path: String) throws -> LineSink {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PyBakError(.destination, "cannot open the log file \(path): \(String(cString: strerror(errno))); pass --log-file or fix its folder's permissions")
        }
        return LineSink(fd: fd, owns: true, buffered: true)
    }

    deinit {
        writePending()
        if ownsDescriptor { close(fd) }
    }

    /// Writes a line; `urgent` lines (warnings, errors) reach the file at once with what waits before them.
    func write(_ line: String, urgent: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        pending.append(contentsOf: line.utf8)
        pending.append(0x0a)
        if !buffered || urgent || pending.count >= Self.bufferLimit || WallClock.monotonic() - lastWrite >= Self.maxDelay {
            writePending()
        }
    }

    /// Writes what waits in the buffer.
    func flush() {
        lock.lock()
        defer { lock.unlock() }
        writePending()
    }

    /// Caller holds the lock (or is `deinit`).
    private func writePending() {
        defer {
            pending.removeAll(keepingCapacity: true)
            lastWrite = WallClock.monotonic()
        }
        pending.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Writes text without a newline (for the progress line).
    func writeRaw(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        writePending()
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
        sink.write(line, urgent: event.level >= .warning)
    }

    static func value(_ text: String) -> String {
        // Bytes, not Characters: every character that calls for quotes is ASCII or a line break (U+0085, U+2028, U+2029).
        let needsQuotes = text.isEmpty || text.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 >= 0xC2 })
            && text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
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
