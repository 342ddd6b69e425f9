import PyBakCore
#if canImport(Glibc)
import Glibc
#endif

/// A regular file found in the source folder.
public struct ScannedFile: Sendable, Equatable {
    /// Relative to the source folder, `/`-separated.
    public var relativePath: String
    /// What lstat said when it was found.
    public var status: FileStatus
}

/// Something in the source folder that will not be stored this pass, and why.
public struct ScanFinding: Sendable, Equatable {
    /// `skipped` for things that are not regular files, `failed` for things PyBak cannot handle.
    public var failed: Bool
    /// Relative to the source folder (with undecodable bytes shown as `\xNN`).
    public var relativePath: String
    /// Why.
    public var reason: String
}

/// Walks the source folder without following symbolic links or opening special files.
public struct SourceScanner: Sendable {
    /// The source folder.
    public let root: String
    /// Include/exclude patterns for files.
    public let filter: PathFilter

    /// Creates a scanner.
    public init(root: String, filter: PathFilter) {
        self.root = root
        self.filter = filter
    }

    /// Lists every selected regular file, sorted by path, plus what was skipped.
    /// - Throws: `SystemError` when the source folder itself cannot be listed.
    public func scan() throws -> (files: [ScannedFile], findings: [ScanFinding]) {
        var files: [ScannedFile] = []
        var findings: [ScanFinding] = []
        guard let top = opendir(root) else { throw SystemError("list", root) }
        walk(top, absolute: root, relative: "", files: &files, findings: &findings)
        files.sort { $0.relativePath < $1.relativePath }
        return (files, findings)
    }

    private func walk(_ dir: OpaquePointer, absolute: String, relative: String, files: inout [ScannedFile], findings: inout [ScanFinding]) {
        defer { closedir(dir) }
        var subfolders: [(String, String)] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 {
                    findings.append(ScanFinding(failed: true, relativePath: relative.isEmpty ? "." : relative, reason: "\(SystemError("list", absolute)); its files wait for a later pass"))
                }
                break
            }
            let nameBytes = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                return Array(bytes.prefix(while: { $0 != 0 }))
            }
            if nameBytes == [0x2e] || nameBytes == [0x2e, 0x2e] { continue }
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                let shown = Self.escape(nameBytes)
                let path = relative.isEmpty ? shown : "\(relative)/\(shown)"
                findings.append(ScanFinding(failed: true, relativePath: path, reason: "its name is not valid UTF-8, so the catalog cannot record it; rename it (e.g. with convmv)"))
                continue
            }
            let childRelative = relative.isEmpty ? name : "\(relative)/\(name)"
            let childAbsolute = "\(absolute)/\(name)"
            let status: FileStatus
            do {
                status = try POSIX.lstat(childAbsolute)
            } catch {
                // Vanished between readdir and lstat: nothing to do, nothing lost.
                continue
            }
            if status.isDirectory {
                subfolders.append((childAbsolute, childRelative))
            } else if status.isRegular {
                if filter.selects(childRelative) {
                    files.append(ScannedFile(relativePath: childRelative, status: status))
                }
            } else if filter.selects(childRelative) {
                let reason = status.isSymlink
                    ? "it is a symbolic link; PyBak does not follow links (back up the target's folder instead)"
                    : "it is \(status.kindName); only regular files are backed up"
                findings.append(ScanFinding(failed: false, relativePath: childRelative, reason: reason))
            }
        }
        for (childAbsolute, childRelative) in subfolders {
            guard let child = opendir(childAbsolute) else {
                findings.append(ScanFinding(failed: true, relativePath: childRelative, reason: "\(SystemError("list", childAbsolute)); its files wait for a later pass"))
                continue
            }
            walk(child, absolute: childAbsolute, relative: childRelative, files: &files, findings: &findings)
        }
    }

    static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7f {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
