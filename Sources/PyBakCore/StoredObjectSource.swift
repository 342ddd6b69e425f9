/// Where stored copies are read back from: the local destination folder today, S3 or GCS
/// later. `pybak restore` and `pybak verify` read only through this protocol.
public protocol StoredObjectSource: Sendable {
    /// Names the store in messages (a folder, `s3://bucket/prefix`).
    var location: String { get }
    /// Opens a stored copy by its path relative to the destination (the catalog's `destination_path`).
    /// - Throws: `StoredObjectError` (`.missing` when the copy does not exist).
    func open(_ path: String) throws -> any StoredObjectReader
}

/// A stored copy being read front to back.
public protocol StoredObjectReader: AnyObject {
    /// Fills the front of `buffer`; returns the bytes read, 0 at the end.
    /// - Throws: `StoredObjectError.unreadable`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A stored copy that cannot be read.
public enum StoredObjectError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The copy is not there.
    case missing(location: String, path: String)
    /// The copy is there but cannot be read.
    case unreadable(location: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let location, let path): return "the stored copy \(path) is missing from \(location)"
        case .unreadable(let location, let path, let reason): return "the stored copy \(path) in \(location) cannot be read: \(reason)"
        }
    }
}
