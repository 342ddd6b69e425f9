import PyBakCore

/// What a pass would do, without changing anything.
public enum DryRun {
    /// One line per file: `store a/b.csv -> a/b.csv_<stamp>.gz`, `skip ...: reason`, `fail ...: reason`.
    /// - Throws: `PyBakError` for a missing or unreadable source, a destination inside the source.
    public static func plan(_ settings: PassSettings, now: Double = WallClock.now()) throws -> [String] {
        try PassPreflight.check(settings)
        let stamp = PassStamp(epochSeconds: Int(now))
        let (files, findings) = try SourceScanner(root: settings.sourceDir, filter: settings.filter).scan()
        var lines: [String] = findings.map { "\($0.failed ? "fail" : "skip") \($0.relativePath): \($0.reason)" }
        let settleBefore = Int64((now - settings.minAgeSeconds) * 1e9)
        for file in files {
            if file.status.mtimeNanos > settleBefore {
                lines.append("skip \(file.relativePath): within the \(DurationText.format(settings.minAgeSeconds)) settle window")
            } else if let problem = OutputNaming.problem(storingRelativePath: file.relativePath, encrypted: settings.encryption != nil, format: settings.format) {
                lines.append("fail \(file.relativePath): \(problem)")
            } else if settings.format.isArchive {
                let archive = OutputNaming.archiveName(format: settings.format, stamp: stamp, encrypted: settings.encryption != nil)
                lines.append("\(settings.keepSource ? "copy" : "move") \(file.relativePath) -> \(archive):\(file.relativePath) (\(file.status.size) bytes)")
            } else {
                let target = OutputNaming.storedPath(relativeSourcePath: file.relativePath, stamp: stamp, encrypted: settings.encryption != nil)
                lines.append("\(settings.keepSource ? "copy" : "move") \(file.relativePath) -> \(target) (\(file.status.size) bytes)")
            }
        }
        return lines
    }
}
