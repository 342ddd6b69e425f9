/// FNV-1a (64-bit) over UTF-8 bytes: the same number on every machine and every run, unlike
/// Swift's `Hasher`. Used to share files among the Pods of a sharded run and to shorten names.
public enum StableHash {
    /// The FNV-1a 64-bit hash of the text's UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
