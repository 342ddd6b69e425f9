import PyBakCore

/// Which store `pybak restore` and `pybak verify` read stored copies from (`--from`).
public enum CopySource: Sendable, Equatable, CustomStringConvertible {
    /// Only the destination folder (`--from local`).
    case local
    /// Only the object the catalog's upload ledger recorded for this target (`--from s3`, `--from gcs`).
    case cloud(String)
    /// The destination folder, and the recorded cloud object when the local copy is missing (restore's default).
    case automatic
    /// Where the catalog says the copy is kept (verify's default): the destination folder, except for copies whose
    /// local copy was removed after their upload (`--no-keep-local-copy`), which are read from their uploaded object.
    /// A local copy that should be there but is not is reported missing, not read from the cloud.
    case recorded

    /// Parses a `--from` value (`local`, `s3`, `gcs`, `auto`); a nil value is the default, `automatic`.
    /// - Returns: nil for a name that is not a store.
    public static func parse(_ text: String?) -> CopySource? {
        switch text?.lowercased() {
        case nil, "auto": return .automatic
        case "local": return .local
        case let name?: return ["s3", "gcs"].contains(name) ? .cloud(name) : nil
        }
    }

    public var description: String {
        switch self {
        case .local: return "local"
        case .cloud(let target): return target
        case .automatic: return "auto"
        case .recorded: return "recorded"
        }
    }
}

/// Opens the cloud store that holds a bucket's objects, or says why it cannot (no credentials, a store this
/// build cannot read). The executable supplies it; `CopyLocator` calls it once per target and bucket.
public typealias CloudSourceProvider = (_ target: String, _ bucket: String) throws -> any StoredObjectSource
