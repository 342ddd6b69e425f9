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
            Each copy is read, decrypted when encrypted, decompressed (gzip integrity), and its length and SHA-256 \
            compared with the catalog; the catalog records when each copy was verified and what was wrong. Exit codes: \
            0 every checked copy is good; 3 some copies are missing, corrupt or could not be checked (no or wrong key); \
            1 or 2 as for run. Without --from, each copy is read where the catalog says it is kept: the destination, \
            or, for a copy whose local copy was removed after its upload (--no-keep-local-copy), the object the \
            catalog recorded as uploaded (the summary says how many came from each store). --from local reads only \
            the destination (a removed local copy is then missing). --from s3 (or gcs) re-reads every object the \
            catalog recorded as uploaded there, with the same --s3-*/--gcs-* connection flags, variables or policy \
            file (--config) as run; copies never queued for that store are not checked, and a pending upload counts \
            as missing.
            """
    )

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var keys: KeyOptions
    @OptionGroup var sources: CopySourceOptions

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
        /// Where the copy was read: `local`, or the object (`s3://bucket/key`); absent when it could not be opened.
        var from: String?
    }

    func run() throws {
        try CommandErrors.exiting {
            let destination = try catalog.destinationDir()
            let opened = try catalog.open()
            let key = try keys.load(destination: destination)
            let logger = CommandLog.logger()
            let locator = try sources.locator(try sources.choice(default: .recorded), destination: destination, catalog: opened, logger: logger)
            let verifier = try Verifier(catalog: opened, locator: locator, key: key, logger: logger)
            let candidates = try verifier.select(policy: catalog.policy, percent: 100)
            let expected = try candidates.filter { try locator.isExpected($0) }
            let rows = sample >= 100 ? expected : try verifier.sample(expected, percent: sample)
            let results = try verifier.verify(rows)
            let entries = results.map {
                Entry(
                    path: $0.file.sourcePath, storedPath: $0.file.destinationPath, result: $0.error?.kind.rawValue ?? "ok", error: $0.error?.message,
                    from: $0.from)
            }
            var counts: [String: Int] = ["checked": entries.count]
            for entry in entries { counts[entry.result, default: 0] += 1 }
            let bad = entries.count - (counts["ok"] ?? 0)
            if json {
                print(try CommandOutput.json(counts, items: entries))
            } else {
                for entry in entries where entry.error != nil { print("\(entry.result.padding(toLength: 8, withPad: " ", startingAt: 0))  \(entry.storedPath): \(entry.error!)") }
                let detail = counts.keys.filter { $0 != "checked" && $0 != "ok" }.sorted().map { "\(counts[$0]!) \($0)" }
                let unsent = candidates.count - expected.count
                var note = ""
                if case .cloud = locator.choice { note = " (read from \(locator.choice))" }
                if locator.choice == .recorded { note = Self.storesNote(entries.compactMap(\.from)) }
                if unsent > 0 { note += "; \(unsent) never queued for \(locator.choice), not checked" }
                print("\(entries.count) copies checked: \(counts["ok"] ?? 0) ok\(detail.isEmpty ? "" : ", " + detail.joined(separator: ", "))\(note)")
            }
            if bad > 0 { throw ExitCode(ExitStatus.partial) }
        }
    }

    /// ` (2 read from the destination, 1 from s3)` when any copy came from an object store; empty when all were local.
    static func storesNote(_ stores: [String]) -> String {
        var cloud: [String: Int] = [:]
        for store in stores where store != "local" {
            let scheme = store.split(separator: ":", maxSplits: 1).first.map(String.init) ?? store
            cloud[scheme == "gs" ? "gcs" : scheme, default: 0] += 1
        }
        guard !cloud.isEmpty else { return "" }
        let local = stores.count - cloud.values.reduce(0, +)
        let parts = cloud.keys.sorted().map { "\(cloud[$0]!) from \($0)" }
        return " (\(local) read from the destination, \(parts.joined(separator: ", ")): local copies removed after upload are read from their object)"
    }
}
