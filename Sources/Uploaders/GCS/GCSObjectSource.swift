import Foundation
import PyBakCore
import Transport

/// Stored copies read back from a GCS bucket (`pybak restore` / `verify` from the cloud): the object's
/// metadata first (size, CRC-32C, generation), then its bytes with `alt=media` in bounded ranged GETs,
/// checked against the CRC-32C at the end. Memory stays at one range whatever the object's size.
public struct GCSObjectSource: StoredObjectSource {
    let client: GCSClient
    /// Bytes fetched per request.
    let rangeSize: Int

    /// Creates a source over the target's bucket and prefix.
    /// - Parameters:
    ///   - settings: bucket, prefix, endpoint.
    ///   - tokens: mints bearer tokens for the service account.
    ///   - http: the client requests go through.
    ///   - retry: how often one request is repeated on 5xx, 429 and network faults.
    ///   - rangeSize: bytes per ranged GET (default 8 MiB).
    public init(settings: GCSTarget, tokens: GCSTokenSource, http: HTTPClient, retry: RetryPolicy = .standard, rangeSize: Int = 8 << 20) {
        client = GCSClient(target: settings, tokens: tokens, http: http, retry: retry)
        self.rangeSize = max(1, rangeSize)
    }

    /// Builds a source from settings: reads the key file and prepares the token source.
    /// - Throws: `UploadError` naming the key file and field when the key is unusable.
    public static func make(settings: GCSTarget, retry: RetryPolicy = .standard) throws -> GCSObjectSource {
        let key = try ServiceAccountKey.load(file: settings.credentialsFile)
        let http = HTTPClient(options: GCSUploader.options(for: settings))
        let tokens = try GCSTokenSource(key: key, tokenEndpoint: settings.tokenEndpoint, http: http, retry: retry)
        return GCSObjectSource(settings: settings, tokens: tokens, http: http, retry: retry)
    }

    public var location: String {
        let prefix = GCSUploader.joinKey(prefix: client.target.prefix, "")
        return prefix.isEmpty ? "gs://\(client.target.bucket)" : client.objectURL(prefix)
    }

    /// Opens the object `prefix/path` (restore passes the recorded name whole, with an empty prefix).
    public func open(_ path: String) throws -> any StoredObjectReader {
        try open(object: GCSUploader.joinKey(prefix: client.target.prefix, path), path: path)
    }

    /// Opens an object by its full name (the catalog's `uploads.key`).
    /// - Parameter path: the stored path, for messages (default: the name).
    public func open(object name: String, path: String? = nil) throws -> any StoredObjectReader {
        let shown = path ?? name
        let request = HTTPRequest(method: "GET", url: client.objectURL(forName: name), timeout: 60, maxResponseBytes: 1 << 20)
        let response: HTTPResponse
        do {
            response = try client.send(request, name: name, accept: [404])
        } catch let error as UploadError {
            throw StoredObjectError.unreadable(location: location, path: shown, reason: error.description)
        }
        if response.status == 404 { throw StoredObjectError.missing(location: location, path: shown) }
        let resource: GCSObjectResource
        do {
            resource = try GCSObjectResource.parse(response.body, object: client.objectURL(name))
        } catch {
            throw StoredObjectError.unreadable(location: location, path: shown, reason: "\(error)")
        }
        return GCSObjectReader(source: self, name: name, path: shown, resource: resource)
    }
}

/// Reads one object front to back in ranged GETs, checking its size and CRC-32C at the end.
final class GCSObjectReader: StoredObjectReader {
    private let source: GCSObjectSource
    private let name: String
    private let path: String
    private let resource: GCSObjectResource
    private var fetched: Int64 = 0
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var crc = CRC32C()

    init(source: GCSObjectSource, name: String, path: String, resource: GCSObjectResource) {
        self.source = source
        self.name = name
        self.path = path
        self.resource = resource
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingStart == pending.count {
            guard fetched < resource.size else { return 0 }
            try fetchNext()
        }
        let n = min(buffer.count, pending.count - pendingStart)
        pending.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + pendingStart, byteCount: n) }
        pendingStart += n
        return n
    }

    private func fetchNext() throws {
        let client = source.client
        let last = min(resource.size, fetched + Int64(source.rangeSize)) - 1
        var url = client.objectURL(forName: name) + "?alt=media"
        if !resource.generation.isEmpty { url += "&generation=\(resource.generation)" }
        let request = HTTPRequest(
            method: "GET", url: url, headers: [(name: "Range", value: "bytes=\(fetched)-\(last)")], timeout: 300, maxResponseBytes: source.rangeSize)
        let response: HTTPResponse
        do {
            response = try client.send(request, name: name)
        } catch let error as UploadError {
            throw unreadable(error.description)
        }
        let expected = Int(last - fetched + 1)
        guard response.body.count == expected else {
            throw unreadable("asked for bytes \(fetched)-\(last) and got \(response.body.count) bytes (HTTP \(response.status)); the object changed or the store misbehaved")
        }
        pending = response.body
        pendingStart = 0
        pending.withUnsafeBytes { crc.update($0) }
        fetched += Int64(expected)
        if fetched == resource.size, crc.base64 != resource.crc32c {
            throw unreadable("its bytes have crc32c \(crc.base64) but the store recorded \(resource.crc32c); the download is corrupt")
        }
    }

    private func unreadable(_ reason: String) -> StoredObjectError {
        .unreadable(location: source.client.objectURL(name), path: path, reason: reason)
    }
}
