import ArgumentParser
import Catalog
import Foundation
import PyBakCore
import Recovery

/// `pybak verify`: re-read stored copies and check them against the catalog.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-read stored copies (all or a sample) and check them against the catalog.",
        discussion: """
            Each copy is read from the destination, decrypted when encrypted, decompressed (gzip integrity), and its \
            length and SHA-256 compared with the catalog; the catalog records when each copy was verified and what was \
            wrong. Exit codes: 0 every checked copy is good; 3 some copies are missing, corrupt or could not be \
            checked (no or wrong key); 1 or 2 as for run.
            """
    )

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var keys: KeyOptions

    @Option(name: .customLong("sample"), help: "Check this percentage of the copies, chosen at random (default 100).")
    var sample: Double = 100

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func validate() throws {
        guard sample > 0 && sample <= 100 else { throw ValidationError("--sample \(sample) is out of range; use a percentage above 0, up to 100") }
    }

    struct Entry: Encodable {
        var path: String
        var storedPath: String
        var result: String
        var error: String?
    }

    func run() throws {
        try CommandErrors.exiting {
            let destination = try catalog.destinationDir()
            let opened = try catalog.open()
            let key = try keys.load(destination: destination)
            let verifier = try Verifier(catalog: opened, source: LocalDestinationSource(root: destination), key: key, logger: CommandLog.logger())
            let results = try verifier.verify(try verifier.select(policy: catalog.policy, percent: sample))
            let entries = results.map {
                Entry(path: $0.file.sourcePath, storedPath: $0.file.destinationPath, result: $0.error?.kind.rawValue ?? "ok", error: $0.error?.message)
            }
            var counts: [String: Int] = ["checked": entries.count]
            for entry in entries { counts[entry.result, default: 0] += 1 }
            let bad = entries.count - (counts["ok"] ?? 0)
            if json {
                print(try CommandOutput.json(counts, items: entries))
            } else {
                for entry in entries where entry.error != nil { print("\(entry.result.padding(toLength: 8, withPad: " ", startingAt: 0))  \(entry.storedPath): \(entry.error!)") }
                let detail = counts.keys.filter { $0 != "checked" && $0 != "ok" }.sorted().map { "\(counts[$0]!) \($0)" }
                print("\(entries.count) copies checked: \(counts["ok"] ?? 0) ok\(detail.isEmpty ? "" : ", " + detail.joined(separator: ", "))")
            }
            if bad > 0 { throw ExitCode(ExitStatus.partial) }
        }
    }
}
