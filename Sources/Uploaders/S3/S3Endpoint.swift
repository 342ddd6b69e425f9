import PyBakCore

/// How an S3 target's objects are addressed: the base URL, the `Host` header, and the path of a key.
struct S3Endpoint: Sendable, Equatable {
    /// `https://host[:port]` (virtual-hosted: the bucket is in the host).
    let base: String
    /// The `Host` header value, exactly as signed.
    let host: String
    /// The bucket name.
    let bucket: String
    /// Whether the bucket is the first path segment.
    let pathStyle: Bool

    /// - Throws: `UploadError` when the endpoint is not `http(s)://host[:port]`.
    init(_ target: S3Target) throws {
        let raw = target.endpoint ?? "https://s3.\(target.region).amazonaws.com"
        guard let schemeEnd = raw.range(of: "://"), ["http", "https"].contains(raw[..<schemeEnd.lowerBound].lowercased()) else {
            throw UploadError(path: "--s3-endpoint \(raw)", "is not an http:// or https:// URL; give e.g. https://minio.example:9000")
        }
        var authority = String(raw[schemeEnd.upperBound...])
        while authority.hasSuffix("/") { authority.removeLast() }
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@") else {
            throw UploadError(path: "--s3-endpoint \(raw)", "must be scheme://host[:port] without a path or user; put the bucket in --s3-bucket and key prefixes in --s3-prefix")
        }
        let scheme = String(raw[..<schemeEnd.lowerBound]).lowercased()
        bucket = target.bucket
        pathStyle = target.pathStyle
        host = pathStyle ? authority : "\(target.bucket).\(authority)"
        base = "\(scheme)://\(host)"
    }

    /// The encoded path of a key (`/bucket/key` or `/key`), used in the URL and the signature alike.
    func path(forKey key: String) -> String {
        SigV4Signer.encodePath(pathStyle ? "/\(bucket)/\(key)" : "/\(key)")
    }

    /// `s3://bucket/key`, as the catalog records it.
    func objectURL(_ key: String) -> String { "s3://\(bucket)/\(key)" }
}
