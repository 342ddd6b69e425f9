import CPOSIX
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Stored copies in a local (or mounted) destination folder, as `pybak run` writes them.
public struct LocalDestinationSource: StoredObjectSource {
    /// The destination folder.
    public let root: String

    /// A source over a destination folder.
    public init(root: String) { self.root = root }

    public var location: String { root }

    public func open(_ path: String) throws -> any StoredObjectReader {
        let full = "\(root)/\(path)"
        let fd = CSystem_open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw StoredObjectError.missing(location: root, path: path) }
            throw StoredObjectError.unreadable(location: root, path: path, reason: String(cString: strerror(code)))
        }
        return LocalStoredObjectReader(fd: fd, path: path, root: root)
    }
}

/// Reads one local copy; closes its descriptor in `deinit`.
final class LocalStoredObjectReader: StoredObjectReader {
    private let fd: Int32
    private let path: String
    private let root: String

    init(fd: Int32, path: String, root: String) {
        self.fd = fd
        self.path = path
        self.root = root
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw StoredObjectError.unreadable(location: root, path: path, reason: String(cString: strerror(errno)))
        }
    }
}
