import ArgumentParser
import Catalog
import Foundation
import Logging
import PyBakCore
import Recovery
import Uploaders

/// `--from` and the cloud settings `restore` and `verify` read stored copies with: the connection flags of `run`
/// (endpoints, region, path style, credentials), `PYBAK_S3_*` / `AWS_*` variables and policy file (`--config`).
/// Upload-only flags (prefix, storage class, --keep-local-copy) are not offered: bucket and key come from the catalog.
struct CopySourceOptions: ParsableArguments {
    @Option(name: .customLong("from"), help: "Read stored copies from: local (the destination folder), s3 or gcs (the objects the catalog recorded as uploaded).")
    var from: String?

    @Option(name: [.customLong("config"), .customShort("f"), .customLong("file")], help: "A BackupPolicy document or its spec, for its spec.cloud settings. Env: PYBAK_POLICY_FILE.")
    var policyFile: String?

    @Option(name: .customLong("s3-bucket"), help: "Read the recorded keys from this bucket instead of the recorded one (a replica).")
    var s3Bucket: String?

    @OptionGroup var connection: CloudConnectionOptions

    /// The values given, for `SettingsResolver` (bucket, prefix and storage class come from the catalog's upload ledger).
    var flags: CloudFlags {
        var flags = CloudFlags()
        flags.s3Bucket = s3Bucket
        connection.apply(to: &flags)
        return flags
    }

    /// The store `--from` names, or `fallback` when not given.
    func choice(default fallback: CopySource) throws -> CopySource {
        guard let from else { return fallback }
        guard let choice = CopySource.parse(from), choice != .automatic else {
            throw PyBakError(.usage, "--from \(from) is not a store; use local, s3 or gcs")
        }
        if case .cloud(let target) = choice, let missing = ObjectSourceFactory.unavailable(target) { throw missing }
        return choice
    }

    /// Finds each file's copy in the chosen store.
    /// - Parameters:
    ///   - choice: from `choice(default:)`.
    ///   - destination: the destination folder.
    ///   - catalog: the open catalog (its upload ledger names each object's bucket and key).
    func locator(_ choice: CopySource, destination: String, catalog: any Catalog, logger: Logger) throws -> CopyLocator {
        let environment = ProcessInfo.processInfo.environment
        let file = try (policyFile ?? environment["PYBAK_POLICY_FILE"].flatMap { $0.isEmpty ? nil : $0 }).map(PolicyFile.load)
        let ledger = catalog as? any UploadLedger
        if case .cloud = choice, ledger == nil {
            throw PyBakError(.catalog, "this catalog has no upload ledger; --from \(choice) needs a catalog written by a pass with cloud uploads")
        }
        let flags = self.flags
        return CopyLocator(
            choice: choice, local: LocalDestinationSource(root: destination), uploads: { try ledger?.uploads(fileId: $0) ?? [] },
            cloud: { target, recorded in
                // --s3-bucket reads the same keys from another bucket (a replica); otherwise the recorded bucket.
                let bucket = target == "s3" ? flags.s3Bucket ?? recorded : recorded
                return try ObjectSourceFactory.make(target: target, bucket: bucket, file: file, flags: flags, environment: environment, logger: logger)
            },
            localCopy: { id in try ledger?.localCopyStates(fileIds: [id])[id] }, logger: logger)
    }
}
