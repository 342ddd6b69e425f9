import CZlib

/// A reusable gzip (RFC 1952) compressor over zlib. The header carries the original
/// file name and mtime, so `gunzip -N` restores both.
public final class GzipDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let header: UnsafeMutablePointer<gz_header>
    private var nameBuffer: UnsafeMutablePointer<UInt8>?
    private let output: UnsafeMutableRawBufferPointer
    /// The size of the internal output buffer.
    public static let chunkSize = 128 * 1024

    /// A compressor at a zlib level (1...9).
    /// - Throws: `ArchiveError` when zlib cannot initialise.
    /// - Parameter raw: no gzip wrapper: bare deflate data (zip members, fragments of a tar.gz); start each with `reset()`.
    public init(level: Int, raw: Bool = false) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        header = .allocate(capacity: 1)
        header.initialize(to: gz_header())
        output = .allocate(byteCount: Self.chunkSize, alignment: 16)
        // windowBits 15 + 16 selects the gzip wrapper, -15 bare deflate; memLevel 8 is zlib's default.
        let rc = CZlib_deflateInit2(stream, Int32(level), Z_DEFLATED, raw ? -15 : 15 + 16, 8, Z_DEFAULT_STRATEGY)
        guard rc == Z_OK else {
            stream.deallocate()
            header.deallocate()
            output.deallocate()
            throw ArchiveError("zlib could not start a compressor at level \(level) (code \(rc))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        header.deallocate()
        nameBuffer?.deallocate()
        output.deallocate()
    }

    /// Starts a new member: resets the stream and sets the header's name and mtime.
    /// - Parameters:
    ///   - name: the original file name (no folders), stored as given.
    ///   - mtime: seconds since the epoch (clamped to the 32-bit field).
    public func begin(name: String, mtime: Int64) throws {
        deflateReset(stream)
        nameBuffer?.deallocate()
        let bytes = Array(name.utf8)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + 1)
        buffer.initialize(from: bytes, count: bytes.count)
        buffer[bytes.count] = 0
        nameBuffer = buffer
        header.pointee = gz_header()
        header.pointee.name = buffer
        header.pointee.time = uLong(max(0, min(mtime, Int64(UInt32.max))))
        header.pointee.os = 3  // Unix
        let rc = deflateSetHeader(stream, header)
        guard rc == Z_OK else { throw ArchiveError("zlib refused the gzip header (code \(rc))") }
    }

    /// Compresses bytes, handing each produced chunk to `sink`.
    /// - Parameters:
    ///   - input: the next bytes of the file (may be empty when finishing).
    ///   - finish: true for the last call; writes the gzip trailer.
    ///   - sink: receives compressed chunks; valid only during the call.
    public func compress(_ input: UnsafeRawBufferPointer, finish: Bool, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try compress(input, flush: finish ? .finish : .none, sink: sink)
    }

    /// How a `compress` call ends the data given so far.
    public enum Flush: Sendable {
        /// Keep buffering.
        case none
        /// Emit everything up to a byte boundary without ending the stream (`Z_SYNC_FLUSH`): the output
        /// can be followed by another raw deflate stream's output, as pigz joins its blocks.
        case sync
        /// End the stream (and write the gzip trailer in gzip mode).
        case finish
    }

    /// Starts a new raw stream (no header).
    public func reset() { deflateReset(stream) }

    /// Compresses bytes with the given flush, handing each produced chunk to `sink`.
    public func compress(_ input: UnsafeRawBufferPointer, flush mode: Flush, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        let finish = mode == .finish
        let flush = finish ? Z_FINISH : (mode == .sync ? Z_SYNC_FLUSH : Z_NO_FLUSH)
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let rc = deflate(stream, flush)
            guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                throw ArchiveError("zlib failed while compressing (code \(rc))")
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if finish {
                if rc == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }
}
