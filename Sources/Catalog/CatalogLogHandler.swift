import Logging
import PyBakCore
import Synchronization

/// Log records waiting to be written to the catalog's `logs` table by the thread that owns the catalog.
public final class CatalogLogBuffer: Sendable {
    private let records = Mutex<[LogRecord]>([])
    /// Records kept at most while nobody drains (older ones are dropped, never blocking a pass).
    public static let capacity = 100_000

    /// An empty buffer.
    public init() {}

    func append(_ record: LogRecord) {
        records.withLock {
            if $0.count >= Self.capacity { $0.removeFirst($0.count / 10) }
            $0.append(record)
        }
    }

    /// Takes every waiting record.
    public func drain() -> [LogRecord] {
        records.withLock {
            let taken = $0
            $0.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Writes every waiting record to the catalog; returns how many.
    @discardableResult
    public func flush(to catalog: any Catalog) throws -> Int {
        let taken = drain()
        try catalog.appendLogs(taken)
        return taken.count
    }
}

/// A swift-log handler that queues records for the catalog, lifting `policy.name` and
/// `run.id` metadata into their own columns.
public struct CatalogLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let buffer: CatalogLogBuffer

    /// A handler feeding `buffer` at `level` and above.
    public init(buffer: CatalogLogBuffer, level: Logger.Level = .info) {
        self.buffer = buffer
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let runId = merged["run.id"].flatMap { Int64("\($0)") }
        let policy = merged["policy.name"].map { "\($0)" }
        buffer.append(LogRecord(
            time: WallClock.iso8601(WallClock.now()), level: event.level.rawValue, runId: runId, policy: policy,
            message: "\(event.message)", metadata: LogMetadataJSON.encode(merged)
        ))
    }
}

/// Encodes flat log metadata as a JSON object text.
public enum LogMetadataJSON {
    /// `{"key":"value",...}` with keys sorted.
    public static func encode(_ metadata: Logger.Metadata) -> String {
        var out = "{"
        for (index, key) in metadata.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            out += quote(key) + ":" + quote("\(metadata[key]!)")
        }
        return out + "}"
    }

    public static func quote(_ text: String) -> String {
        // Most values (paths, numbers, hashes) need no escape: one pass over the bytes decides.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"\(text)\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
