import CCurl
import Foundation

/// The state libcurl's callbacks reach through their context pointer during one transfer:
/// the body being sent, the response head and body being received, and the cancellation check.
final class TransferContext {
    /// Where response data goes.
    enum Sink {
        /// Kept in memory up to a limit.
        case collect(limit: Int)
        /// Handed to a closure as it arrives (2xx only; error bodies are collected); returning false stops the transfer.
        case stream((UnsafeRawBufferPointer) -> Bool)
        /// Written to an open file descriptor (2xx only; error bodies are collected).
        case file(fd: Int32)
    }

    let sink: Sink
    let isCancelled: () -> Bool
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Why a callback stopped the transfer, when it did.
    var stopReason: String?
    var stoppedByConsumer = false

    // Request body source.
    /// In-memory body, or the bytes sent before the file range when `bodyFD` is open.
    var bodyBytes: [UInt8] = []
    /// Bytes sent after the file range (framed bodies: multipart/related).
    var bodyTail: [UInt8] = []
    var bodyFD: Int32 = -1
    var bodyOffset: Int64 = 0
    /// Bytes of the file range (0 without a file).
    var bodyFileLength: Int64 = 0
    /// The whole body: `bodyBytes`, then the file range, then `bodyTail`.
    var bodyLength: Int64 = 0
    var bodySent: Int64 = 0

    init(sink: Sink, isCancelled: @escaping () -> Bool) {
        self.sink = sink
        self.isCancelled = isCancelled
    }

    deinit {
        if bodyFD >= 0 { close(bodyFD) }
    }

    /// Handles one header line; a new status line starts a new header block (redirects, 100 Continue).
    func receiveHeader(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name: name, value: value))
        }
    }

    /// Handles response bytes; false stops the transfer.
    func receive(_ data: UnsafeRawBufferPointer) -> Bool {
        let success = (200..<300).contains(status)
        switch sink {
        case .stream(let consume) where success:
            if !consume(data) {
                stoppedByConsumer = true
                return false
            }
            return true
        case .file(let fd) where success:
            var written = 0
            while written < data.count {
                let n = write(fd, data.baseAddress! + written, data.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    stopReason = "cannot write the download: \(String(cString: strerror(errno)))"
                    return false
                }
                written += n
            }
            return true
        case .collect(let limit):
            guard body.count + data.count <= limit else {
                stopReason = "the response is larger than \(limit) bytes"
                return false
            }
            body.append(contentsOf: data)
            return true
        default:
            // Error bodies of streamed or downloaded transfers are kept (bounded) for the error message.
            if body.count < 64 << 10 { body.append(contentsOf: data.prefix(64 << 10 - body.count)) }
            return true
        }
    }

    /// Fills libcurl's upload buffer; returns the bytes written, 0 at the end, or nil on a read error.
    /// The body is `bodyBytes`, then (with a file) the file range streamed from disk, then `bodyTail`.
    func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let remaining = Int(min(Int64(buffer.count), bodyLength - bodySent))
        guard remaining > 0 else { return 0 }
        let head = Int64(bodyBytes.count)
        if bodySent < head {
            return copy(bodyBytes, from: Int(bodySent), into: buffer, count: min(remaining, Int(head - bodySent)))
        }
        let fileEnd = head + bodyFileLength
        if bodyFD >= 0, bodySent < fileEnd {
            let want = Int(min(Int64(remaining), fileEnd - bodySent))
            let n = pread(bodyFD, buffer.baseAddress!, want, off_t(bodyOffset + bodySent - head))
            if n < 0 {
                stopReason = "cannot read the request body: \(String(cString: strerror(errno)))"
                return nil
            }
            if n == 0 {
                stopReason = "the request body file ended early (it shrank while being sent)"
                return nil
            }
            bodySent += Int64(n)
            return n
        }
        return copy(bodyTail, from: Int(bodySent - fileEnd), into: buffer, count: remaining)
    }

    private func copy(_ bytes: [UInt8], from start: Int, into buffer: UnsafeMutableRawBufferPointer, count: Int) -> Int {
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: count)
        }
        bodySent += Int64(count)
        return count
    }

    /// Moves the upload position (libcurl rewinds the body on redirects and authentication retries).
    func seek(to offset: Int64) -> Bool {
        guard offset >= 0, offset <= bodyLength else { return false }
        bodySent = offset
        return true
    }
}

// MARK: - The C callbacks; each recovers the context from its pointer.

let transferWriteCallback: CCurl_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<TransferContext>.fromOpaque(context!).takeUnretainedValue()
    let total = size * count
    return transfer.receive(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
}

let transferHeaderCallback: CCurl_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<TransferContext>.fromOpaque(context!).takeUnretainedValue()
    let total = size * count
    let bytes = UnsafeRawBufferPointer(start: buffer, count: total)
    transfer.receiveHeader(String(decoding: bytes, as: UTF8.self))
    return total
}

let transferReadCallback: CCurl_data_callback = { buffer, size, count, context in
    let transfer = Unmanaged<TransferContext>.fromOpaque(context!).takeUnretainedValue()
    guard let n = transfer.fill(UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) else {
        return Int(CURL_READFUNC_ABORT)
    }
    return n
}

let transferSeekCallback: CCurl_seek_callback = { context, offset, origin in
    let transfer = Unmanaged<TransferContext>.fromOpaque(context!).takeUnretainedValue()
    guard origin == SEEK_SET, transfer.seek(to: Int64(offset)) else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    return Int32(CURL_SEEKFUNC_OK)
}

let transferProgressCallback: CCurl_xferinfo_callback = { context, _, _, _, _ in
    let transfer = Unmanaged<TransferContext>.fromOpaque(context!).takeUnretainedValue()
    return transfer.isCancelled() ? 1 : 0
}
