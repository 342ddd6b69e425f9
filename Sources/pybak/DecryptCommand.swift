import Archive
import ArgumentParser
import Foundation
import PyBakCore

/// `pybak decrypt`: turn one `.gz.enc` file back into its `.gz` (any holder of the key can).
struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt one .gz.enc file (Tink AES256_GCM_HKDF_1MB streaming layout) into a file.",
        discussion: "The output is written to a temporary name and renamed only when every segment authenticated."
    )

    @OptionGroup var keys: KeyOptions

    @Option(name: .customLong("dest"), help: "With --passphrase-file: the destination holding .pybak/passphrase.json.")
    var destination: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "The file to write (must not exist).")
    var output: String

    @Argument(help: "The encrypted file.")
    var input: String

    func run() throws {
        try CommandErrors.exiting {
            guard let key = try keys.load(destination: destination ?? ".") else {
                throw PyBakError(.usage, "no key: pass --key-file FILE, --passphrase-file FILE with --dest DIR, or set \(KeySource.keyVariable)")
            }
            guard let reader = FileHandle(forReadingAtPath: input) else { throw PyBakError(.usage, "cannot read \(input); check the path") }
            guard !FileManager.default.fileExists(atPath: output) else { throw PyBakError(.usage, "\(output) exists; pick a new --output") }
            let temporary = output + ".pybak-decrypt-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let writer = FileHandle(forWritingAtPath: temporary) else {
                throw PyBakError(.io, "cannot create \(temporary); check the folder is writable")
            }
            var done = false
            defer {
                try? writer.close()
                if !done { unlink(temporary) }
            }
            let decryptor = try StreamingDecryptor()
            decryptor.begin(key: key)
            let sink: (UnsafeRawBufferPointer) throws -> Void = { try writer.write(contentsOf: Data($0)) }
            do {
                while let data = try reader.read(upToCount: 1 << 20), !data.isEmpty {
                    try data.withUnsafeBytes { try decryptor.feed($0, sink: sink) }
                }
                try decryptor.finish(sink: sink)
            } catch let error as ArchiveError {
                throw PyBakError(.io, "\(input): \(error.message)")
            }
            try writer.synchronize()
            guard link(temporary, output) == 0 else { throw PyBakError(.io, "cannot create \(output): \(String(cString: strerror(errno)))") }
            done = true
            unlink(temporary)
        }
    }
}
