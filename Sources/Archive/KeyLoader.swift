import Foundation
import PyBakCore

/// Turns a `KeySource` into the key: reads key files and variables, and derives passphrase
/// keys with the scrypt salt kept in `DEST/.pybak/passphrase.json`.
public enum KeyLoader {
    /// The file beside the backups that holds the scrypt salt and cost (not secret).
    public static func passphraseParametersPath(destination: String) -> String {
        "\(destination)/\(PassSettings.stateFolderName)/passphrase.json"
    }

    /// Loads the key.
    /// - Parameters:
    ///   - source: where the key comes from.
    ///   - environment: the process environment (for `PYBAK_ENCRYPTION_KEY`).
    ///   - destination: the backup destination (for a passphrase's salt).
    ///   - createParameters: true for a pass that may be the first to use a passphrase here; it
    ///     then stores fresh scrypt parameters. Restore and verify pass false.
    /// - Throws: `PyBakError.config` naming the input and what to do.
    public static func load(_ source: KeySource, environment: [String: String], destination: String, createParameters: Bool) throws -> EncryptionKey {
        do {
            switch source {
            case .keyFile(let path):
                return try EncryptionKey.parse(try readSmallFile(path, what: "key file"), origin: "the key file \(path)")
            case .environment(let name):
                return try EncryptionKey.parse(Array((environment[name] ?? "").utf8), origin: "the variable \(name)")
            case .passphraseFile(let path):
                return try passphraseKey(path: path, destination: destination, create: createParameters)
            }
        } catch let error as ArchiveError {
            throw PyBakError(.config, error.message)
        }
    }

    private static func passphraseKey(path: String, destination: String, create: Bool) throws -> EncryptionKey {
        var passphrase = try readSmallFile(path, what: "passphrase file")
        if let newline = passphrase.firstIndex(of: 0x0a) { passphrase = Array(passphrase[..<newline]) }
        if passphrase.last == 0x0d { passphrase.removeLast() }
        let parametersPath = passphraseParametersPath(destination: destination)
        if let data = FileManager.default.contents(atPath: parametersPath) {
            let parameters: ScryptParameters
            do {
                parameters = try JSONDecoder().decode(ScryptParameters.self, from: data)
            } catch {
                throw PyBakError(.config, "\(parametersPath) is not valid scrypt parameters (\(error)); restore it from a copy of the destination")
            }
            guard parameters.kdf == "scrypt" else { throw PyBakError(.config, "\(parametersPath): kdf '\(parameters.kdf)' is not scrypt") }
            let key = try EncryptionKey.derive(passphrase: passphrase, parameters: parameters)
            if let expected = parameters.keyId, expected != key.id {
                throw PyBakError(
                    .config,
                    "the passphrase in \(path) is not the one this destination's copies were encrypted with (it gives key \(key.id), the destination uses \(expected)); pass the right passphrase file")
            }
            return key
        }
        guard create else {
            throw PyBakError(
                .config,
                "\(parametersPath) is missing: it holds the scrypt salt the passphrase was stretched with when the copies were made. Restore it from a copy of the destination, or use --key-file if the copies were made with a key")
        }
        var parameters = try ScryptParameters.fresh()
        let key = try EncryptionKey.derive(passphrase: passphrase, parameters: parameters)
        parameters.keyId = key.id
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = "\(parametersPath).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(parameters) + Data("\n".utf8)) else {
            throw PyBakError(.destination, "cannot write \(temporary); check that the destination is writable")
        }
        // link(2) never replaces: when another process stored parameters first, use theirs.
        let linked = link(temporary, parametersPath) == 0
        unlink(temporary)
        if !linked { return try passphraseKey(path: path, destination: destination, create: false) }
        return key
    }

    private static func readSmallFile(_ path: String, what: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PyBakError(.config, "cannot read the \(what) \(path): \(String(cString: strerror(errno))); check the path and its permissions")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 4097)) ?? Data()
        guard data.count <= 4096 else { throw PyBakError(.config, "the \(what) \(path) is larger than 4 KiB; it is not a key or passphrase file") }
        return Array(data)
    }
}
