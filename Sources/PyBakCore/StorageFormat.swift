/// How a pass stores files: one gzip copy per file, or one archive per pass.
public enum StorageFormat: String, Sendable, Equatable, CaseIterable {
    /// `<name>_<stamp>.gz` per file (the default).
    case gzip
    /// One `pybak_<stamp>.zip` per pass: deflate members, ZIP64 when needed.
    case zip
    /// One `pybak_<stamp>.tar.gz` per pass: ustar members with POSIX pax headers, gzip over the whole tar.
    case tarGz = "tar.gz"

    /// Whether the pass writes one archive holding every stored file.
    public var isArchive: Bool { self != .gzip }

    /// Parses `gzip`, `zip` or `tar.gz`.
    /// - Throws: `PyBakError.config` naming `field` and the accepted values.
    public static func parse(_ text: String, field: String) throws -> StorageFormat {
        guard let format = StorageFormat(rawValue: text) else {
            throw PyBakError(.config, "\(field): '\(text)' is not a format; use gzip, zip or tar.gz")
        }
        return format
    }
}
