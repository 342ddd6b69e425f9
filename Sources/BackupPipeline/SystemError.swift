import CPOSIX
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with errno turned into words a user can act on.
/// The one chokepoint where C error codes become Swift errors (as swift-nio's `syscall`).
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// The errno value.
    public let code: Int32
    /// What was being done ("read", "create", "rename").
    public let operation: String
    /// The path involved.
    public let path: String

    /// Wraps the current errno.
    init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.code = code
        self.operation = operation
        self.path = path
    }

    /// Whether the disk (or a quota) is full: the pass stops rather than fail every file.
    public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }
    /// Whether the path did not exist.
    public var isNotFound: Bool { code == ENOENT }

    public var description: String {
        let reason = String(cString: strerror(code))
        let advice: String
        switch code {
        case ENOSPC, EDQUOT: advice = "the disk is full; free space or move the destination"
        case EACCES, EPERM: advice = "permission denied; check the owner and mode"
        case ENOENT: advice = "it no longer exists"
        case EROFS: advice = "the file system is read-only"
        case EIO: advice = "the disk reported an I/O error; check it"
        case ENAMETOOLONG: advice = "the name is too long for this file system; shorten it"
        case ELOOP: advice = "it is a symbolic link, which PyBak does not follow"
        default: advice = reason
        }
        return "\(operation) \(path): \(advice) (\(reason), errno \(code))"
    }
}

/// The stat fields PyBak compares to know a file is the one it read.
public struct FileStatus: Sendable, Equatable {
    public var device: Int64
    public var inode: Int64
    public var size: Int64
    public var mtimeNanos: Int64
    var mode: UInt32

    init(_ raw: CSystem_status) {
        device = raw.device
        inode = raw.inode
        size = raw.size
        mtimeNanos = raw.mtime_ns
        mode = raw.mode
    }

    /// A status for tests and catalog comparisons.
    public init(device: Int64, inode: Int64, size: Int64, mtimeNanos: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanos = mtimeNanos
        self.mode = 0o100644
    }

    var isRegular: Bool { CSystem_is_regular(mode) != 0 }
    var isDirectory: Bool { CSystem_is_directory(mode) != 0 }
    var isSymlink: Bool { CSystem_is_symlink(mode) != 0 }

    /// A word for what a non-regular file is.
    var kindName: String {
        if CSystem_is_symlink(mode) != 0 { return "a symbolic link" }
        if CSystem_is_fifo(mode) != 0 { return "a FIFO" }
        if CSystem_is_socket(mode) != 0 { return "a socket" }
        if CSystem_is_device(mode) != 0 { return "a device" }
        if CSystem_is_directory(mode) != 0 { return "a folder" }
        return "a special file"
    }

    /// Same file, same content as far as stat can tell.
    func isSameFile(as other: FileStatus) -> Bool {
        device == other.device && inode == other.inode && size == other.size && mtimeNanos == other.mtimeNanos
    }

    /// Seconds since the epoch of the modification time.
    var mtimeSeconds: Int64 { mtimeNanos / 1_000_000_000 }
}

/// Thin wrappers over the POSIX calls the pipeline makes.
enum POSIX {
    static func lstat(_ path: String) throws -> FileStatus {
        var raw = CSystem_status()
        guard CSystem_lstat(path, &raw) == 0 else { throw SystemError("inspect", path) }
        return FileStatus(raw)
    }

    static func fstat(_ fd: Int32, path: String) throws -> FileStatus {
        var raw = CSystem_status()
        guard CSystem_fstat(fd, &raw) == 0 else { throw SystemError("inspect", path) }
        return FileStatus(raw)
    }

    /// Opens a source for reading: never follows a symbolic link, never blocks on a FIFO.
    static func openForReading(_ path: String) throws -> Int32 {
        let fd = CSystem_open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0)
        guard fd >= 0 else { throw SystemError("open", path) }
        return fd
    }

    /// Creates a new file that must not exist yet, open for writing and reading back.
    static func createExclusive(_ path: String) throws -> Int32 {
        let fd = CSystem_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("create", path) }
        return fd
    }

    static func openDirectory(_ path: String) throws -> Int32 {
        let fd = CSystem_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw SystemError("open folder", path) }
        return fd
    }

    /// Writes all bytes, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path)
            }
            offset += n
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SystemError("read", path)
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; 0 at the end.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        while true {
            let n = Glibc.pread(fd, buffer.baseAddress!, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SystemError("read", path)
        }
    }

    /// Renames without replacing; falls back to link + unlink where renameat2 is missing.
    /// - Returns: false when the target exists.
    static func renameNoReplace(_ from: String, _ to: String) throws -> Bool {
        if CSystem_rename_noreplace(from, to) == 0 { return true }
        if errno == EEXIST { return false }
        guard errno == EINVAL || errno == ENOSYS else { throw SystemError("rename to", to) }
        if Glibc.link(from, to) != 0 {
            if errno == EEXIST { return false }
            throw SystemError("link to", to)
        }
        Glibc.unlink(from)
        return true
    }

    static func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 else { throw SystemError("remove", path) }
    }

    /// Flushes the whole file system that holds `path` (data and metadata).
    static func syncFileSystem(of path: String) throws {
        let fd = try openDirectory(path)
        defer { close(fd) }
        guard CSystem_syncfs(fd) == 0 else { throw SystemError("sync", path) }
    }

    /// Lowers the calling thread's scheduling priority by `nice` steps (best effort: a failure leaves it as it was).
    static func lowerThreadPriority(by nice: Int32) {
        _ = CSystem_set_thread_nice(nice)
    }

    /// fsync of a folder, so entries created or removed in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = try openDirectory(path)
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemError("sync folder", path) }
    }

    /// mkdir -p.
    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST {
            if errno == EEXIST, let status = try? lstat(path), !status.isDirectory {
                throw SystemError("create folder", path, code: ENOTDIR)
            }
            return
        }
        guard errno == ENOENT else { throw SystemError("create folder", path) }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw SystemError("create folder", path) }
    }

    /// Absolute, symlink-free form of an existing path.
    static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
