import CCurl
import Foundation

/// Where and how mail is sent: `smtp://host:587` (STARTTLS, required by default) or `smtps://host:465` (implicit TLS).
public struct SMTPSettings: Sendable {
    /// `smtp://host[:port]` or `smtps://host[:port]`.
    public var url: String
    /// The AUTH user name, if the server needs one.
    public var user: String?
    /// The AUTH password (read from a file by the caller; never logged).
    public var password: String?
    /// Requires STARTTLS on `smtp://`; turning it off sends credentials and reports in clear text.
    public var requireTLS: Bool
    /// TLS trust and timeouts.
    public var options: TransportOptions
    /// Seconds allowed for the whole exchange.
    public var timeout: Double

    /// Creates settings.
    public init(url: String, user: String? = nil, password: String? = nil, requireTLS: Bool = true, options: TransportOptions = TransportOptions(), timeout: Double = 60) {
        self.url = url
        self.user = user
        self.password = password
        self.requireTLS = requireTLS
        self.options = options
        self.timeout = timeout
    }
}

/// Sends one RFC 5322 message over SMTP through libcurl.
public struct SMTPClient: Sendable {
    /// Where and how to send.
    public let settings: SMTPSettings

    /// Creates a client.
    public init(settings: SMTPSettings) { self.settings = settings }

    /// Sends `message` (CRLF line endings, headers included) from `from` to every address in `recipients`.
    /// - Throws: `TransportError` naming the server, the SMTP reply code and libcurl's words.
    public func send(from: String, recipients: [String], message: [UInt8]) throws {
        let endpoint = "SMTP \(settings.url)"
        guard !recipients.isEmpty else { throw TransportError(kind: .local, endpoint: endpoint, detail: "no recipients given") }
        let easy = try CurlEasy(endpoint: endpoint)
        let transfer = TransferContext(sink: .collect(limit: 1 << 20), isCancelled: { false })
        transfer.bodyBytes = message
        transfer.bodyLength = Int64(message.count)
        try easy.apply(settings.options)
        try easy.set(CURLOPT_URL, settings.url)
        try easy.set(CURLOPT_TIMEOUT_MS, Int(settings.timeout * 1000))
        if settings.url.lowercased().hasPrefix("smtp://") {
            try easy.set(CURLOPT_USE_SSL, Int(settings.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        }
        if let user = settings.user { try easy.set(CURLOPT_USERNAME, user) }
        if let password = settings.password { try easy.set(CURLOPT_PASSWORD, password) }
        try easy.set(CURLOPT_MAIL_FROM, "<\(from)>")
        try easy.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        try easy.set(CURLOPT_UPLOAD, 1)
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: Int64(message.count))
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        try easy.set(CURLOPT_READDATA, pointer: context)
        guard CCurl_setopt_data_callback(easy.handle, CURLOPT_READFUNCTION, transferReadCallback) == CURLE_OK else {
            throw TransportError(kind: .local, endpoint: endpoint, detail: "libcurl refused the read callback")
        }
        let code = withExtendedLifetime(transfer) { easy.perform() }
        guard code == CURLE_OK else {
            let reply = easy.responseCode()
            var detail = easy.message(for: code)
            if code == CURLE_LOGIN_DENIED { detail = "the server refused the user name or password (\(detail)); check --smtp-user and --smtp-password-file" }
            throw TransportError(kind: CurlEasy.kind(of: code), endpoint: endpoint, status: reply > 0 ? reply : nil, detail: detail)
        }
    }
}
