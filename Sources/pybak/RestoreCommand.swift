import Archive
import ArgumentParser
import Catalog
import Foundation
import PyBakCore
import Recovery

/// `pybak restore`: bring catalogued files back from the destination.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore files from the backup destination into a folder.",
        discussion: """
            Without a selector, restores the newest version of every path in the catalog (duplicates included) \
            under its original relative path. Each file is decrypted and decompressed, its SHA-256 checked against \
            the catalog, written to a temporary name, given its original mtime and renamed into place. An existing \
            file is never replaced unless --overwrite. Copies are read from the destination folder and, when one is missing \
            there, from the object the catalog recorded as uploaded (S3 or GCS); --from local|s3|gcs reads one store only. \
            Bucket and key come from the catalog; the store is reached with the same connection flags (--s3-endpoint, \
            --gcs-credentials-file, ...), AWS_* / PYBAK_S3_* / PYBAK_GCS_* variables or policy file (--config) as run. \
            Exit codes: 0 all restored; 3 some files not restored \
            (listed); 1 or 2 as for run.
            """
    )

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var keys: KeyOptions
    @OptionGroup var sources: CopySourceOptions

    @Option(name: .customLong("to"), help: "The folder to restore into (created if missing).")
    var target: String

    @OptionGroup var selector: FileSelectorOptions

    @Option(name: .customLong("at"), help: "The versions as of this time (UTC): 2026-11-27T03:54:00Z, 2026-11-27, a pass stamp, or 24h ago.")
    var at: String?

    @Flag(name: .customLong("overwrite"), help: "Replace files that exist in --to.")
    var overwrite = false

    @Flag(name: .customLong("json"), help: "Print one JSON object per restore instead of lines.")
    var json = false

    func validate() throws {
        if [selector.path != nil, selector.runId != nil, selector.prefix != nil].filter({ $0 }).count > 1 {
            throw ValidationError("--path, --run and --prefix exclude each other; pass one (or none for everything)")
        }
    }

    func run() throws {
        try CommandErrors.exiting {
            let destination = try catalog.destinationDir()
            let opened = try catalog.open()
            let key = try keys.load(destination: destination)
            let selected: RestoreRequest.Selector = selector.path.map { .path($0) } ?? selector.runId.map { .run($0) } ?? selector.prefix.map { .prefix($0) } ?? .all
            let request = RestoreRequest(
                selector: selected, at: try at.map { try CatalogTime.parse($0, field: "--at", inclusiveEnd: true) }, policy: catalog.policy,
                target: SettingsResolver.normalize(target), overwrite: overwrite)
            let logger = CommandLog.logger()
            let locator = try sources.locator(try sources.choice(default: .automatic), destination: destination, catalog: opened, logger: logger)
            let restorer = try Restorer(catalog: opened, locator: locator, key: key, logger: logger)
            let rows = try restorer.select(request)
            let items = restorer.restore(rows, into: request)
            let failed = items.filter { $0.error != nil }.count
            if json {
                print(try CommandOutput.json(["restored": items.count - failed, "failed": failed] as [String: Int], items: items))
            } else {
                for item in items {
                    if let error = item.error {
                        print("failed    \(item.path): \(error)")
                    } else {
                        let from = item.from.map { $0 == "local" ? "" : " from \($0)" } ?? ""
                        print("restored  \(item.path) <- \(item.storedPath)\(from) (\(item.size) bytes, run \(item.runId))")
                    }
                }
                print("\(items.count - failed) restored, \(failed) not restored, into \(request.target)")
            }
            if failed > 0 { throw ExitCode(ExitStatus.partial) }
        }
    }
}
