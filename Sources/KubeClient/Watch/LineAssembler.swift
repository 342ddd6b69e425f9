/// Cuts a byte stream that arrives in arbitrary pieces into newline-terminated lines (watch streams send one JSON
/// document per line, but chunks and reads split them anywhere). Memory is bounded by the longest line.
public struct LineAssembler: Sendable {
    /// The longest line accepted, in bytes.
    public let maxLineBytes: Int
    private var pending: [UInt8] = []

    /// A line longer than the limit.
    public struct LineTooLong: Error, Sendable, CustomStringConvertible {
        /// The limit that was exceeded.
        public var limit: Int
        public var description: String { "a watch event is longer than \(limit) bytes" }
    }

    /// Creates an assembler.
    public init(maxLineBytes: Int = 64 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Adds a piece of the stream and returns the lines it completes (without `\n` or a trailing `\r`; blank lines skipped).
    /// - Throws: `LineTooLong` when the pending line exceeds the limit.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            pending.append(contentsOf: bytes[start..<index])
            emit(into: &lines)
            start = index + 1
        }
        pending.append(contentsOf: bytes[start..<bytes.count])
        if pending.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
        return lines
    }

    /// Convenience for arrays.
    public mutating func append(_ bytes: [UInt8]) throws -> [[UInt8]] {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// The unterminated last line at the end of the stream, if any.
    public mutating func finish() -> [UInt8]? {
        var lines: [[UInt8]] = []
        emit(into: &lines)
        return lines.first
    }

    private mutating func emit(into lines: inout [[UInt8]]) {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        if !pending.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { lines.append(pending) }
        pending.removeAll(keepingCapacity: true)
    }
}
