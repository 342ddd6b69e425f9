import Archive
import Foundation

/// AWS Signature Version 4 (header form) on OpenSSL HMAC-SHA256, as S3 uses it: paths are
/// URI-encoded once and never normalised.
public struct SigV4Signer: Sendable {
    /// The key pair that signs.
    public let credentials: AWSCredentials
    /// `us-east-1`, `eu-west-1`, ...
    public let region: String
    /// `s3` (or another service name).
    public let service: String

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// What is signed: the request as it goes on the wire.
    public struct Request: Sendable {
        /// `GET`, `PUT`, ...
        public var method: String
        /// The path, already URI-encoded (see `SigV4Signer.encodePath`).
        public var encodedPath: String
        /// Query parameters, not encoded (encoded and sorted for signing).
        public var query: [(name: String, value: String)]
        /// Header fields, `Host` and `X-Amz-Date` included.
        public var headers: [(name: String, value: String)]
        /// Lower-case hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
        public var payloadHash: String

        /// Creates a request description.
        public init(method: String, encodedPath: String, query: [(name: String, value: String)], headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.encodedPath = encodedPath
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The canonical request and the `SignedHeaders` list (every header given is signed).
    public func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            grouped[name.lowercased(), default: []].append(Self.trimValue(value))
        }
        let names = grouped.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [
            request.method.uppercased(), request.encodedPath.isEmpty ? "/" : request.encodedPath, Self.canonicalQuery(request.query),
            canonicalHeaders, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The string to sign for a canonical request at `amzDate` (`YYYYMMDDTHHMMSSZ`).
    public func stringToSign(canonicalRequest: String, amzDate: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope(amzDate))\n\(Hex.encode(Digest.sha256(Array(canonicalRequest.utf8))))"
    }

    /// The `Authorization` header value for a request whose headers already hold `X-Amz-Date: amzDate`.
    public func authorization(_ request: Request, amzDate: String) -> String {
        let (canonical, signedHeaders) = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, amzDate: amzDate)
        let signature = Hex.encode(Digest.hmacSHA256(key: signingKey(day: String(amzDate.prefix(8))), Array(toSign.utf8)))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(amzDate)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (signed, as S3 requires) and `Authorization` to a request.
    /// - Returns: the headers to send.
    public func sign(_ request: Request, at date: Date) -> [(name: String, value: String)] {
        var request = request
        let amzDate = Self.amzDate(date)
        request.headers.append((name: "X-Amz-Date", value: amzDate))
        if let token = credentials.sessionToken { request.headers.append((name: "X-Amz-Security-Token", value: token)) }
        return request.headers + [(name: "Authorization", value: authorization(request, amzDate: amzDate))]
    }

    private func scope(_ amzDate: String) -> String { "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request" }

    private func signingKey(day: String) -> [UInt8] {
        var key = Digest.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        key = Digest.hmacSHA256(key: key, Array(region.utf8))
        key = Digest.hmacSHA256(key: key, Array(service.utf8))
        return Digest.hmacSHA256(key: key, Array("aws4_request".utf8))
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// RFC 3986 percent-encoding of every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`), and `/` when `keepSlash`.
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved[Int(byte)] || (keepSlash && byte == 0x2F) {
                out.append(byte)
            } else {
                out.append(0x25)
                out.append(hexUpper[Int(byte >> 4)])
                out.append(hexUpper[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexUpper = Array("0123456789ABCDEF".utf8)
    private static let unreserved: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8) { table[Int(byte)] = true }
        return table
    }()

    /// A path encoded for the URL and the canonical request alike (S3: encoded once, slashes kept).
    public static func encodePath(_ path: String) -> String { encode(path, keepSlash: true) }

    /// The canonical query string: names and values encoded, sorted by name then value.
    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        var pairs: [(name: String, value: String)] = []
        for item in query { pairs.append((name: encode(item.name, keepSlash: false), value: encode(item.value, keepSlash: false))) }
        pairs.sort { (a: (name: String, value: String), b: (name: String, value: String)) -> Bool in
            a.name == b.name ? a.value < b.value : a.name < b.name
        }
        var parts: [String] = []
        for pair in pairs { parts.append(pair.name + "=" + pair.value) }
        return parts.joined(separator: "&")
    }

    /// Trims a header value and collapses runs of spaces to one.
    static func trimValue(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for ch in value.trimmingCharacters(in: .whitespaces) {
            if ch == " " || ch == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(ch)
                lastWasSpace = false
            }
        }
        return out
    }
}
