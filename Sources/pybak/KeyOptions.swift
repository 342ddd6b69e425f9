import Archive
import ArgumentParser
import Foundation
import PyBakCore

/// `--key-file` and `--passphrase-file` for commands that read encrypted copies.
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: "The key encrypted copies were made with (base64 or 32 raw bytes). Env: PYBAK_ENCRYPTION_KEY_FILE, or PYBAK_ENCRYPTION_KEY (base64).")
    var keyFile: String?

    @Option(name: .customLong("passphrase-file"), help: "The passphrase encrypted copies were made with (scrypt salt from DEST/.pybak/passphrase.json).")
    var passphraseFile: String?

    /// The key, or nil when none is given (unencrypted copies need none).
    func load(destination: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EncryptionKey? {
        try KeySource.resolve(keyFile: keyFile, passphraseFile: passphraseFile, environment: environment).map {
            try KeyLoader.load($0, environment: environment, destination: destination, createParameters: false)
        }
    }
}
