import CPOSIX
import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX calls restore needs, each turning errno into a `RecoveryError` naming the path.
enum RecoveryIO {
    static func failure(_ what: String, _ path: String, code: Int32 = errno) -> RecoveryError {
        let kind: RecoveryError.Kind = code == EEXIST ? .exists : .io
        return RecoveryError(kind, "cannot \(what) \(path): \(String(cString: strerror(code)))")
    }

    static func exists(_ path: String) -> Bool {
        var status = CSystem_status()
        return CSystem_lstat(path, &status) == 0
    }

    /// Creates a folder and its missing parents.
    /// - Returns: the folders it created, outermost first (for `removeEmpty` when the restore fails).
    @discardableResult
    static func makeDirectories(_ path: String) throws -> [String] {
        guard !path.isEmpty, !exists(path) else { return [] }
        var created = try makeDirectories(OutputNaming.split(path).folder)
        if mkdir(path, 0o755) != 0 {
            if errno != EEXIST { throw failure("create the folder", path) }
        } else {
            created.append(path)
        }
        return created
    }

    /// Removes folders a failed restore created, innermost first, as long as they are empty.
    static func removeEmpty(_ created: [String]) {
        for folder in created.reversed() where rmdir(folder) != 0 { return }
    }

    static func createExclusive(_ path: String) throws -> Int32 {
        let fd = CSystem_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", path) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            offset += n
        }
    }

    /// Sets the file's mode, access and modification time (nanoseconds since the epoch), then fsyncs it.
    static func finish(_ fd: Int32, mtimeNanos: Int64, path: String) throws {
        if fchmod(fd, 0o644) != 0 { throw failure("set the permissions of", path) }
        var times = [timespec](repeating: timespec(), count: 2)
        times[0] = timespec(tv_sec: Int(mtimeNanos / 1_000_000_000), tv_nsec: Int(mtimeNanos % 1_000_000_000))
        times[1] = times[0]
        if futimens(fd, times) != 0 { throw failure("set the modification time of", path) }
        if fsync(fd) != 0 { throw failure("flush", path) }
    }

    /// Renames into place; without `replace`, never over an existing file (renameat2 NOREPLACE).
    static func rename(_ from: String, to: String, replace: Bool) throws {
        if replace {
            if Glibc.rename(from, to) != 0 { throw failure("rename into", to) }
        } else if CSystem_rename_noreplace(from, to) != 0 {
            throw failure("rename into", to)
        }
        let folder = OutputNaming.split(to).folder
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
