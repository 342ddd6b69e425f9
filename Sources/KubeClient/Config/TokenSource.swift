import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A bearer token: fixed, or read from a file and read again whenever the file changes (service-account
/// token rotation, `tokenFile` in a kubeconfig).
///
/// "Changes" is judged on the file the path leads to, symlinks followed: the kubelet mounts a projected
/// token as `token -> ..data/token` and rotates it by swapping the `..data` symlink, which leaves the
/// `token` link itself as it was. The file's identity (device, inode), size and modification time are
/// compared, and the file is read again at least every `maximumAge` seconds whatever they say.
public final class TokenSource: Sendable {
    private enum Origin: Sendable {
        case fixed(String)
        case file(String)
    }

    private struct Cached: Sendable {
        var token: String
        var identity: FileIdentity
        var readAt: ContinuousClock.Instant
    }

    /// What `stat(2)` (which follows symlinks) says of the file a path leads to.
    struct FileIdentity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    /// Seconds after which the file is read again even if it looks unchanged (client-go reads it every minute).
    public static let maximumAge: Double = 60

    private let origin: Origin
    private let cache = Mutex<Cached?>(nil)

    /// A token that never changes.
    public init(token: String) { origin = .fixed(token) }

    /// A token read from `path`, re-read when the file it leads to changes (or after `maximumAge`).
    public init(file path: String) { origin = .file(path) }

    /// The current token.
    /// - Throws: `KubeConfigError` when the file cannot be read or is empty.
    public func current() throws -> String {
        switch origin {
        case .fixed(let token): return token
        case .file(let path):
            let identity = FileIdentity(path: path)
            let now = ContinuousClock.now
            if let identity, let cached = cache.withLock({ $0 }), cached.identity == identity,
                now - cached.readAt < .seconds(Self.maximumAge)
            {
                return cached.token
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubeConfigError(file: path, field: "token", problem: "cannot read the token file", remedy: "check that it exists and is readable")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw KubeConfigError(file: path, field: "token", problem: "the token file is empty", remedy: "write the bearer token into it")
            }
            if let identity {
                cache.withLock { $0 = Cached(token: token, identity: identity, readAt: now) }
            }
            return token
        }
    }
}
