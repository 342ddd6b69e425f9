/// Names stored copies: `<original name>_<pass stamp>[_N].gz[.enc]`, relative folders kept.
public enum OutputNaming {
    /// The longest file name most Linux file systems accept, in bytes.
    public static let nameMax = 255

    /// The stored name for a source file.
    /// - Parameters:
    ///   - originalName: the source file's name (no folders).
    ///   - stamp: the pass stamp.
    ///   - attempt: 0 for the plain name, 1... for `_1`, `_2` when the name is taken.
    ///   - encrypted: whether `.enc` follows `.gz`.
    public static func storedName(originalName: String, stamp: PassStamp, attempt: Int = 0, encrypted: Bool = false) -> String {
        let suffix = attempt == 0 ? "" : "_\(attempt)"
        return "\(originalName)_\(stamp.compact)\(suffix).gz\(encrypted ? ".enc" : "")"
    }

    /// The stored path relative to the destination: the source's relative folder plus the stored name.
    public static func storedPath(relativeSourcePath: String, stamp: PassStamp, attempt: Int = 0, encrypted: Bool = false) -> String {
        let (folder, name) = split(relativeSourcePath)
        let stored = storedName(originalName: name, stamp: stamp, attempt: attempt, encrypted: encrypted)
        return folder.isEmpty ? stored : "\(folder)/\(stored)"
    }

    /// Why a relative source path cannot be stored, or nil when it can.
    /// Checks that the longest stored name (with a `_NNN` suffix and `.enc`) fits in `nameMax` bytes.
    /// In an archive (`format.isArchive`) the member name is the relative path itself, so no length is added.
    public static func problem(storingRelativePath path: String, encrypted: Bool = false, format: StorageFormat = .gzip) -> String? {
        let (_, name) = split(path)
        let longest = storedName(originalName: name, stamp: PassStamp(epochSeconds: 0), attempt: 999, encrypted: encrypted)
        if !format.isArchive && longest.utf8.count > nameMax {
            return "its name is \(name.utf8.count) bytes; a stored copy adds \(longest.utf8.count - name.utf8.count) and would pass the \(nameMax)-byte limit; shorten the name"
        }
        if name.contains("\n") || name.contains("\r") {
            return "its name holds a line break, which logs and reports cannot show unambiguously; rename it"
        }
        return nil
    }

    /// The name of a pass's archive in the destination folder: `pybak_<stamp>[_N].zip|.tar.gz[.enc]`.
    /// - Parameters:
    ///   - format: `.zip` or `.tarGz`.
    ///   - attempt: 0 for the plain name, 1... when the name is taken.
    public static func archiveName(format: StorageFormat, stamp: PassStamp, attempt: Int = 0, encrypted: Bool = false) -> String {
        let suffix = attempt == 0 ? "" : "_\(attempt)"
        return "pybak_\(stamp.compact)\(suffix).\(format.rawValue)\(encrypted ? ".enc" : "")"
    }

    /// The prefix of temporary files that a pass writes inside the destination.
    public static let temporaryPrefix = ".pybak-tmp-"

    /// Splits `a/b/c.txt` into (`a/b`, `c.txt`).
    public static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}
