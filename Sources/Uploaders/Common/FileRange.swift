import Foundation

/// Reads a byte range of a file once, front to back, through one fixed buffer (checksums before an upload).
enum FileRange {
    /// Hands each piece of `path`'s bytes `offset..<offset+length` to `each`.
    /// - Throws: `UploadError` naming the file when it cannot be opened or read whole.
    static func read(_ path: String, offset: Int64, length: Int64, _ each: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw UploadError(path: path, "cannot open it to checksum it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let want = Int(min(Int64(buffer.count), length - done))
            let n = pread(fd, buffer.baseAddress!, want, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw UploadError(path: path, n < 0 ? "cannot read it: \(String(cString: strerror(errno)))" : "it is shorter than the catalog says (\(offset + done) of \(offset + length) bytes)")
            }
            each(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            done += Int64(n)
        }
    }
}
