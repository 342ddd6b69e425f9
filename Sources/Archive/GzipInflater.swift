import CZlib

/// A reusable gzip decompressor that hands out the original bytes as it goes.
/// Rejects trailing data after the member and a stream that ends early.
public final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    /// Whether the gzip trailer has been read (length and CRC checked by zlib).
    public private(set) var finished = false

    /// A decompressor.
    /// - Parameter raw: bare deflate data (a zip member, a tar.gz fragment) instead of a gzip stream.
    public init(raw: Bool = false) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: 256 * 1024, alignment: 16)
        let rc = CZlib_inflateInit2(stream, raw ? -15 : 15 + 16)
        guard rc == Z_OK else {
            stream.deallocate()
            output.deallocate()
            throw ArchiveError("zlib could not start a decompressor (code \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Starts a new stream.
    public func reset() {
        inflateReset(stream)
        finished = false
    }

    /// Feeds compressed bytes; hands each decompressed chunk to `sink`.
    /// - Throws: `ArchiveError` on corrupt data, a bad CRC or length, or bytes after the end.
    public func feed(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.count > 0 else { return }
        if finished { throw ArchiveError("data continues after the end of the gzip stream") }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        repeat {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let rc = inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if rc == Z_STREAM_END {
                finished = true
                break
            }
            if rc == Z_BUF_ERROR && produced == 0 { break }  // needs more input
            guard rc == Z_OK || rc == Z_BUF_ERROR else {
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw ArchiveError("the gzip data is corrupt: \(reason)")
            }
        } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        if finished && stream.pointee.avail_in > 0 {
            throw ArchiveError("data continues after the end of the gzip stream")
        }
    }
}
