import ArgumentParser
import BackupPipeline
import Catalog
import Foundation
import PyBakCore

/// `pybak prune`: apply retention rules to the catalogued versions of each source path.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove old versions by retention rules (restic's keep-last/within/daily/weekly/monthly, per source path).",
        discussion: """
            A version is kept when any rule keeps it; the rest are marked pruned in the catalog, then their copies \
            deleted. A copy that another kept version still uses stays, and so does the last copy of content whose \
            source file (same size and mtime) is still in --source. Rules come from the flags, else from the \
            policy's spec.retention (-f). --dry-run prints the decisions and changes nothing.
            """
    )

    @OptionGroup var catalog: CatalogOptions

    @Option(name: [.customShort("f"), .customLong("file")], help: "A BackupPolicy: its spec.retention, destination and source.")
    var policyFile: String?

    @Option(name: .customLong("source"), help: "The source folder (keeps the last copy of files still there).")
    var source: String?

    @Option(name: .customLong("keep-last"), help: "Keep the newest N versions of each path.")
    var keepLast: Int?

    @Option(name: .customLong("keep-within"), help: "Keep every version within this duration of the path's newest one (e.g. 720h, 30d).")
    var keepWithin: String?

    @Option(name: .customLong("keep-daily"), help: "Keep the newest version of each of the last N days (UTC) that have versions.")
    var keepDaily: Int?

    @Option(name: .customLong("keep-weekly"), help: "Keep the newest version of each of the last N ISO weeks that have versions.")
    var keepWeekly: Int?

    @Option(name: .customLong("keep-monthly"), help: "Keep the newest version of each of the last N months that have versions.")
    var keepMonthly: Int?

    @Flag(name: .customLong("dry-run"), help: "Print what would be removed; change nothing.")
    var dryRun = false

    @Flag(name: .customLong("json"), help: "Print JSON.")
    var json = false

    func run() throws {
        try CommandErrors.exiting {
            let loaded = try policyFile.map(PolicyFile.load)
            let spec = loaded?.spec
            var options = catalog
            if options.destination == nil, let path = spec?.destination?.path { options.destination = path }
            let destination = try options.destinationDir()
            let opened = try options.open()
            let flags = RetentionRules(keepLast: keepLast, keepWithin: keepWithin, keepDaily: keepDaily, keepWeekly: keepWeekly, keepMonthly: keepMonthly)
            let rules = (spec?.retention ?? RetentionRules()).overridden(by: flags)
            let pruner = Pruner(
                destination: destination, sourceDir: (source ?? spec?.source?.path).map(SettingsResolver.normalize), catalog: opened,
                logger: CommandLog.logger())
            let decisions = try pruner.plan(rules, policy: options.policy ?? loaded?.name)
            let removed = decisions.filter { !$0.keep }
            var summary = ["versions": decisions.count, "kept": decisions.count - removed.count, "removed": removed.count]
            if !dryRun {
                let done = try pruner.apply(decisions)
                summary["copiesDeleted"] = done.copies
                summary["bytesFreed"] = Int(done.bytes)
            }
            if json {
                print(try CommandOutput.json(summary, items: decisions))
                return
            }
            for decision in decisions {
                let verb = decision.keep ? "keep  " : (dryRun ? "would remove" : "remove")
                print("\(verb)  \(decision.file.sourcePath)  \(decision.file.destinationPath)  (\(decision.reasons.joined(separator: ",")))")
            }
            let tail = dryRun ? " (dry run: nothing changed)" : ", \(summary["copiesDeleted"] ?? 0) copies deleted, \(summary["bytesFreed"] ?? 0) bytes freed"
            print("\(decisions.count) versions: \(summary["kept"]!) kept, \(removed.count) removed\(tail)")
        }
    }
}
