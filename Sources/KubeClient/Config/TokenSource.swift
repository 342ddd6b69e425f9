import Foundation
import Synchronization

/// A bearer token: fixed, or read from a file and read again whenever the file changes (service-account
/// token rotation, `tokenFile` in a kubeconfig).
public final class TokenSource: Sendable {
    private enum Origin: Sendable {
        case fixed(String)
        case file(String)
    }

    private struct Cached: Sendable {
        var token: String
        var modified: Date?
        var size: Int?
    }

    private let origin: Origin
    private let cache = Mutex<Cached?>(nil)

    /// A token that never changes.
    public init(token: String) { origin = .fixed(token) }

    /// A token read from `path`, re-read when its modification time or size changes.
    public init(file path: String) { origin = .file(path) }

    /// The current token.
    /// - Throws: `KubeConfigError` when the file cannot be read or is empty.
    public func current() throws -> String {
        switch origin {
        case .fixed(let token): return token
        case .file(let path):
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = attributes?[.modificationDate] as? Date
            let size = (attributes?[.size] as? NSNumber)?.intValue
            if let cached = cache.withLock({ $0 }), cached.modified == modified, cached.size == size, modified != nil {
                return cached.token
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubeConfigError(file: path, field: "token", problem: "cannot read the token file", remedy: "check that it exists and is readable")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw KubeConfigError(file: path, field: "token", problem: "the token file is empty", remedy: "write the bearer token into it")
            }
            cache.withLock { $0 = Cached(token: token, modified: modified, size: size) }
            return token
        }
    }
}
