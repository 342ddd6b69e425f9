import CCurl
import Foundation

/// Runs `curl_global_init` once per process, before the first handle.
enum CurlGlobal {
    private static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func ensure() -> Bool { initialised }
}

/// Owns one libcurl easy handle; every option goes through the throwing chokepoints here.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    /// libcurl writes its detailed message here (CURLOPT_ERRORBUFFER).
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    let endpoint: String

    init(endpoint: String) throws {
        guard CurlGlobal.ensure(), let handle = curl_easy_init() else {
            throw TransportError(kind: .local, endpoint: endpoint, detail: "libcurl could not be initialised")
        }
        self.handle = handle
        self.endpoint = endpoint
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_NOSIGNAL, 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(CCurl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws {
        try check(CCurl_setopt_off(handle, option, curl_off_t(value)), option)
    }

    func set(_ option: CURLoption, _ value: String) throws {
        try check(CCurl_setopt_string(handle, option, value), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws {
        try check(CCurl_setopt_pointer(handle, option, value), option)
    }

    /// Sets a PEM blob option (CA, client certificate, key); libcurl copies the bytes.
    func set(_ option: CURLoption, blob bytes: [UInt8]) throws {
        var copy = bytes
        let code = copy.withUnsafeMutableBytes { raw -> CURLcode in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: UInt32(CURL_BLOB_COPY))
            return withUnsafeMutablePointer(to: &blob) { CCurl_setopt_pointer(handle, option, UnsafeMutableRawPointer($0)) }
        }
        try check(code, option)
    }

    /// Sets a string-list option (headers, mail recipients); the list lives as long as the handle.
    func set(_ option: CURLoption, list values: [String]) throws {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let appended = curl_slist_append(list, value) else {
                if let list { curl_slist_free_all(list) }
                throw TransportError(kind: .local, endpoint: endpoint, detail: "out of memory building a libcurl list")
            }
            list = appended
        }
        if let list { lists.append(list) }
        try set(option, pointer: list.map { UnsafeMutableRawPointer($0) })
    }

    /// Applies the connection settings shared by every request.
    func apply(_ options: TransportOptions) throws {
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        try set(CURLOPT_USERAGENT, options.userAgent)
        if let stall = options.stallTimeout {
            try set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try set(CURLOPT_LOW_SPEED_TIME, max(1, Int(stall)))
        }
        if let caFile = options.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let caPEM = options.caPEM { try set(CURLOPT_CAINFO_BLOB, blob: caPEM) }
        if let cert = options.clientCertificateFile { try set(CURLOPT_SSLCERT, cert) }
        if let key = options.clientKeyFile { try set(CURLOPT_SSLKEY, key) }
        if let cert = options.clientCertificatePEM { try set(CURLOPT_SSLCERT_BLOB, blob: cert) }
        if let key = options.clientKeyPEM { try set(CURLOPT_SSLKEY_BLOB, blob: key) }
        if options.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    /// Runs the transfer; a failure becomes a `TransportError` carrying libcurl's own message.
    func perform() -> CURLcode {
        curl_easy_perform(handle)
    }

    /// The last response code (HTTP status, or SMTP reply code).
    func responseCode() -> Int {
        var code = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// libcurl's detailed message for the last failure, or its generic text for `code`.
    func message(for code: CURLcode) -> String {
        let detailed = String(cString: errorBuffer)
        return detailed.isEmpty ? String(cString: curl_easy_strerror(code)) : detailed
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw TransportError(kind: .local, endpoint: endpoint, detail: "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    /// The kind of failure a libcurl result code stands for.
    static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_READ_ERROR, CURLE_WRITE_ERROR, CURLE_OUT_OF_MEMORY,
            CURLE_BAD_FUNCTION_ARGUMENT, CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return .local
        default: return .network
        }
    }
}
