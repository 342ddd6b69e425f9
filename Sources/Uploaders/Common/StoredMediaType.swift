/// The `Content-Type` an uploaded object gets, from its stored name: a `.gz` copy is gzip, a pass archive is
/// zip (or gzip for `.tar.gz`), and an encrypted copy (`.enc`) is opaque bytes.
public enum StoredMediaType {
    /// The media type for an object key or stored name.
    public static func of(_ key: String) -> String {
        if key.hasSuffix(".enc") { return "application/octet-stream" }
        if key.hasSuffix(".zip") { return "application/zip" }
        return "application/gzip"
    }
}
