/// Where the AES-256 key of an encrypted pass (or a restore/verify) comes from. Holds where
/// to find the key, never the key itself, so settings can be logged and compared.
public enum KeySource: Sendable, Equatable, CustomStringConvertible {
    /// A file with base64 of 32 bytes, or the 32 raw bytes (`--key-file`, `spec.encryption.keyFile`,
    /// `PYBAK_ENCRYPTION_KEY_FILE`, or a mounted Secret).
    case keyFile(String)
    /// A file whose first line is a passphrase, stretched with scrypt (`--passphrase-file`).
    case passphraseFile(String)
    /// An environment variable holding base64 of 32 bytes (`PYBAK_ENCRYPTION_KEY`).
    case environment(String)

    public var description: String {
        switch self {
        case .keyFile(let path): return "key file \(path)"
        case .passphraseFile(let path): return "passphrase file \(path)"
        case .environment(let name): return "environment variable \(name)"
        }
    }

    /// The variable holding a base64 key.
    public static let keyVariable = "PYBAK_ENCRYPTION_KEY"
    /// The variable naming a key file.
    public static let keyFileVariable = "PYBAK_ENCRYPTION_KEY_FILE"

    /// The key source from explicit flags, else the environment; nil when none is given.
    /// - Throws: `PyBakError.usage` when both a key file and a passphrase file are given.
    public static func resolve(keyFile: String?, passphraseFile: String?, environment: [String: String]) throws -> KeySource? {
        if keyFile != nil && passphraseFile != nil {
            throw PyBakError(.usage, "--key-file and --passphrase-file exclude each other; pass one")
        }
        if let keyFile { return .keyFile(keyFile) }
        if let passphraseFile { return .passphraseFile(passphraseFile) }
        if let path = environment[keyFileVariable], !path.isEmpty { return .keyFile(path) }
        if let text = environment[keyVariable], !text.isEmpty { return .environment(keyVariable) }
        return nil
    }
}
