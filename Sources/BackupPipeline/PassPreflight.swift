import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// Checks the folders before anything is touched, with errors that say what to do.
enum PassPreflight {
    /// Validates the source and destination; creates the destination and its state folders unless `dryRun`.
    static func check(_ settings: PassSettings) throws {
        let source = settings.sourceDir
        guard let sourceStatus = try? POSIX.lstat(source) else {
            throw PyBakError(.source, "source folder \(source) does not exist; create it or pass the right --source")
        }
        guard sourceStatus.isDirectory || (sourceStatus.isSymlink && POSIX.realPath(source) != nil) else {
            throw PyBakError(.source, "source \(source) is not a folder; pass a folder to --source")
        }
        guard let listing = opendir(source) else {
            throw PyBakError(.source, "source folder \(source) cannot be read: \(SystemError("list", source)); fix its permissions")
        }
        closedir(listing)

        let destination = settings.destinationDir
        if !settings.dryRun {
            do {
                try POSIX.makeDirectories(destination)
            } catch {
                throw PyBakError(.destination, "destination folder \(destination) cannot be created: \(error)")
            }
        }
        if let realSource = POSIX.realPath(source), let realDestination = POSIX.realPath(destination) {
            if realDestination == realSource || realDestination.hasPrefix(realSource == "/" ? "/" : realSource + "/") {
                throw PyBakError(.destination, "destination \(destination) is inside the source \(source); stored copies would be backed up again. Pick a destination outside the source")
            }
        }
        guard !settings.dryRun else { return }
        let state = "\(destination)/\(PassSettings.stateFolderName)"
        for folder in [state, "\(state)/\(settings.shard.temporaryFolderName)", "\(state)/reports"] {
            do {
                try POSIX.makeDirectories(folder)
            } catch {
                throw PyBakError(.destination, "destination \(destination) is not writable: \(error)")
            }
        }
        let probe = "\(state)/\(settings.shard.temporaryFolderName)/.write-probe-\(getpid())"
        do {
            let fd = try POSIX.createExclusive(probe)
            close(fd)
            try POSIX.unlink(probe)
        } catch {
            throw PyBakError(.destination, "destination \(destination) is not writable: \(error)")
        }
    }
}

/// An exclusive lock on a destination, so two passes never work on it at once.
final class DestinationLock {
    private let fd: Int32

    /// Takes the lock or throws `PyBakError.busy` naming the holder.
    init(destination: String, name: String = "lock") throws {
        let path = "\(destination)/\(PassSettings.stateFolderName)/\(name)"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PyBakError(.destination, "cannot open the lock file: \(SystemError("open", path))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = read(fd, &buffer, buffer.count)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmed() : "unknown"
            throw PyBakError(.busy, "another pass is already working on \(destination) (pid \(holder)); this one did nothing. It runs again at its next turn")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
