import Archive
import ArgumentParser
import PyBakCore

/// `pybak keygen`: print a new random AES-256 key.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Print a new random AES-256 key (base64 of 32 bytes) on stdout.",
        discussion: """
            Save it where only PyBak can read it: `pybak keygen > key && chmod 600 key`, then `pybak run --key-file key ...`. \
            In Kubernetes: `kubectl create secret generic pybak-key --from-file=key=key`. Keep a copy elsewhere: \
            without the key, encrypted copies cannot be restored. The key's id is printed on stderr.
            """
    )

    func run() throws {
        do {
            let key = try EncryptionKey.generate()
            print(key.base64)
            CommandErrors.note("key id \(key.id)")
        } catch {
            CommandErrors.report(PyBakError(.internal, "\(error)"))
            throw ExitCode(ExitStatus.failed)
        }
    }
}
