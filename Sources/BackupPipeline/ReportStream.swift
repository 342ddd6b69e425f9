#if canImport(Glibc)
import Glibc
#endif

/// Where a report is written piece by piece: a file descriptor behind a fixed buffer, or memory.
///
/// A report of a pass over a million files is never held whole: the JSON form goes out file by file
/// through a 64 KiB buffer.
public final class ReportStream {
    private enum Target {
        case descriptor(Int32, path: String)
        case memory
    }

    private let target: Target
    private var buffer: [UInt8] = []
    /// Bytes handed to the descriptor so far (memory streams: bytes held).
    public private(set) var bytesWritten = 0

    /// Bytes held before they are written to the descriptor.
    public static let bufferSize = 64 * 1024

    /// A stream writing to an open descriptor (not closed by the stream).
    /// - Parameters:
    ///   - fd: an open, writable descriptor (1 for stdout).
    ///   - path: names the file in errors.
    public init(fd: Int32, path: String) {
        target = .descriptor(fd, path: path)
        buffer.reserveCapacity(Self.bufferSize)
    }

    /// A stream collecting into memory (read it with `text`); for small forms and tests.
    public init() {
        target = .memory
    }

    /// Appends text.
    /// - Throws: `SystemError` when the descriptor cannot take it.
    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if case .descriptor = target, buffer.count >= Self.bufferSize { try flush() }
    }

    /// Appends bytes.
    public func write(bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if case .descriptor = target, buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes what is buffered to the descriptor (nothing for memory streams).
    public func flush() throws {
        guard case .descriptor(let fd, let path) = target, !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: path) }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// What a memory stream holds.
    public var text: String { String(decoding: buffer, as: UTF8.self) }
}
