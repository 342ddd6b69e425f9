import CCurl
import Foundation
import Logging

/// An HTTP client over libcurl for every integration: one easy handle per request, TLS verification on,
/// bodies streamed from files, bounded in-memory responses, retries with backoff and jitter.
///
/// Calls block the calling thread; use the `async` variants (which run the transfer on a thread of its own)
/// from Swift concurrency.
public final class HTTPClient: Sendable {
    /// Connection settings for every request.
    public let options: TransportOptions
    private let logger: Logger
    private let sleeper: @Sendable (Double) -> Void
    private let random: @Sendable () -> Double

    /// Creates a client.
    /// - Parameters:
    ///   - options: TLS trust, client identity and limits.
    ///   - logger: where retries are reported.
    ///   - sleeper: waits between retries (injected by tests).
    ///   - random: jitter source in 0..<1 (injected by tests).
    public init(
        options: TransportOptions = TransportOptions(), logger: Logger = Logger(label: "pybak.transport"),
        sleeper: @escaping @Sendable (Double) -> Void = { seconds in Thread.sleep(forTimeInterval: seconds) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.options = options
        self.logger = logger
        self.sleeper = sleeper
        self.random = random
    }

    /// Sends a request and collects the response in memory, repeating it per `retry` on network faults,
    /// timeouts, 408, 429 and 5xx.
    /// - Returns: the last response, whatever its status (check `isSuccess` or call `requireSuccess`).
    /// - Throws: `TransportError` when no response arrived on the last attempt.
    public func send(_ request: HTTPRequest, retry: RetryPolicy = .none, isCancelled: @escaping () -> Bool = { false }) throws -> HTTPResponse {
        try withRetries(request, retry: retry) {
            try perform(request, sink: .collect(limit: request.maxResponseBytes), isCancelled: isCancelled)
        }
    }

    /// Sends a request and writes a 2xx body to `fd` (downloads), with retries per `retry`.
    /// On a retry the caller's `rewind` truncates what an earlier attempt wrote.
    public func download(_ request: HTTPRequest, to fd: Int32, retry: RetryPolicy = .standard, rewind: @escaping () throws -> Void) throws -> HTTPResponse {
        var first = true
        return try withRetries(request, retry: retry) {
            if !first { try rewind() }
            first = false
            return try perform(request, sink: .file(fd: fd), isCancelled: { false })
        }
    }

    /// Sends a request and hands each piece of a 2xx body to `onData` as it arrives (watch streams).
    /// No retries: the caller decides how to resume. Returning false from `onData` ends the transfer normally.
    /// - Returns: the response head; its body holds the error document when the status is not 2xx.
    public func stream(_ request: HTTPRequest, isCancelled: @escaping () -> Bool = { false }, onData: @escaping (UnsafeRawBufferPointer) -> Bool) throws -> HTTPResponse {
        try perform(request, sink: .stream(onData), isCancelled: isCancelled)
    }

    private func withRetries(_ request: HTTPRequest, retry: RetryPolicy, attempt body: () throws -> HTTPResponse) throws -> HTTPResponse {
        var attempt = 1
        while true {
            let failure: TransportError
            do {
                let response = try body()
                if response.isSuccess || attempt >= retry.maxAttempts { return response }
                let asError = response.error(for: request)
                guard asError.isRetryable else { return response }
                failure = asError
            } catch let error as TransportError {
                guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
                failure = error
            }
            let wait = retry.delay(afterAttempt: attempt, retryAfter: failure.retryAfter, random: random())
            logger.warning("request failed; retrying", metadata: [
                "http.endpoint": "\(request.endpoint)", "retry.attempt": "\(attempt)",
                "retry.delaySeconds": "\((wait * 1000).rounded() / 1000)", "error": "\(failure)",
            ])
            sleeper(wait)
            attempt += 1
        }
    }

    /// One attempt of one request.
    func perform(_ request: HTTPRequest, sink: TransferContext.Sink, isCancelled: @escaping () -> Bool) throws -> HTTPResponse {
        let endpoint = request.endpoint
        let easy = try CurlEasy(endpoint: endpoint)
        let transfer = TransferContext(sink: sink, isCancelled: isCancelled)
        try easy.apply(options)
        try easy.set(CURLOPT_URL, request.url)
        if let timeout = request.timeout { try easy.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000)) }

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        try configureMethodAndBody(request, easy: easy, transfer: transfer, context: context)
        // An empty `Expect:` stops libcurl waiting for `100 Continue` before sending a body.
        try easy.set(CURLOPT_HTTPHEADER, list: request.headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        try easy.set(CURLOPT_XFERINFODATA, pointer: context)
        try setCallback(easy, CURLOPT_WRITEFUNCTION, transferWriteCallback)
        try setCallback(easy, CURLOPT_HEADERFUNCTION, transferHeaderCallback)
        guard CCurl_setopt_xferinfo_callback(easy.handle, transferProgressCallback) == CURLE_OK else {
            throw TransportError(kind: .local, endpoint: endpoint, detail: "libcurl refused the progress callback")
        }
        try easy.set(CURLOPT_NOPROGRESS, 0)

        let code = withExtendedLifetime(transfer) { easy.perform() }
        if code != CURLE_OK, !(transfer.stoppedByConsumer && code == CURLE_WRITE_ERROR) {
            let detail = transfer.stopReason ?? easy.message(for: code)
            let kind: TransportError.Kind = transfer.stopReason != nil ? .local : CurlEasy.kind(of: code)
            throw TransportError(kind: kind, endpoint: endpoint, detail: detail)
        }
        return HTTPResponse(status: transfer.status, headers: transfer.headers, body: transfer.body)
    }

    private func configureMethodAndBody(_ request: HTTPRequest, easy: CurlEasy, transfer: TransferContext, context: UnsafeMutableRawPointer) throws {
        let method = request.method.uppercased()
        switch request.body {
        case .none:
            if method == "HEAD" {
                try easy.set(CURLOPT_NOBODY, 1)
            } else if method != "GET" {
                try easy.set(CURLOPT_CUSTOMREQUEST, method)
            }
            if method == "POST" || method == "PUT" || method == "PATCH" {
                // A bodiless write still says so, or some servers wait for a body.
                try attachBody(method: method, length: 0, easy: easy, context: context)
            }
        case .bytes(let bytes):
            transfer.bodyBytes = bytes
            transfer.bodyLength = Int64(bytes.count)
            try attachBody(method: method, length: Int64(bytes.count), easy: easy, context: context)
        case .file(let path, let offset, let length):
            transfer.bodyFD = try openBody(path, request)
            transfer.bodyOffset = offset
            transfer.bodyFileLength = length
            transfer.bodyLength = length
            try attachBody(method: method, length: length, easy: easy, context: context)
        case .framedFile(let head, let path, let offset, let length, let tail):
            transfer.bodyFD = try openBody(path, request)
            transfer.bodyBytes = head
            transfer.bodyTail = tail
            transfer.bodyOffset = offset
            transfer.bodyFileLength = length
            transfer.bodyLength = Int64(head.count) + length + Int64(tail.count)
            try attachBody(method: method, length: transfer.bodyLength, easy: easy, context: context)
        }
    }

    private func openBody(_ path: String, _ request: HTTPRequest) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TransportError(kind: .local, endpoint: request.endpoint, detail: "cannot open \(path) to send it: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    private func attachBody(method: String, length: Int64, easy: CurlEasy, context: UnsafeMutableRawPointer) throws {
        if method == "POST" {
            try easy.set(CURLOPT_POST, 1)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: length)
        } else {
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: length)
            if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        }
        try easy.set(CURLOPT_READDATA, pointer: context)
        try easy.set(CURLOPT_SEEKDATA, pointer: context)
        try setCallback(easy, CURLOPT_READFUNCTION, transferReadCallback)
        guard CCurl_setopt_seek_callback(easy.handle, transferSeekCallback) == CURLE_OK else {
            throw TransportError(kind: .local, endpoint: easy.endpoint, detail: "libcurl refused the seek callback")
        }
    }

    private func setCallback(_ easy: CurlEasy, _ option: CURLoption, _ callback: CCurl_data_callback) throws {
        guard CCurl_setopt_data_callback(easy.handle, option, callback) == CURLE_OK else {
            throw TransportError(kind: .local, endpoint: easy.endpoint, detail: "libcurl refused callback option \(option.rawValue)")
        }
    }
}
