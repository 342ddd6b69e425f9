import ArgumentParser
import Foundation
import PyBakCore

/// The options shared by `run` and `daemon`: every field of a policy's spec has one.
struct PassOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file")], help: "A BackupPolicy document or its spec (YAML or JSON). Env: PYBAK_POLICY_FILE.")
    var policyFile: String?

    @Option(name: .customLong("policy"), help: "Policy name recorded in the catalog (default: metadata.name, or 'local'). Env: PYBAK_POLICY.")
    var policyName: String?

    @Option(name: .customLong("source"), help: "Folder where files arrive (spec.source.path). Env: PYBAK_SOURCE.")
    var source: String?

    @Option(name: .customLong("dest"), help: "Folder for stored copies (spec.destination.path). Env: PYBAK_DEST.")
    var destination: String?

    @Option(name: .customLong("include"), help: "Only files matching this glob (repeatable; spec.source.include). Env: PYBAK_INCLUDE (comma-separated).")
    var include: [String] = []

    @Option(name: .customLong("exclude"), help: "Leave out files matching this glob (repeatable; spec.source.exclude). Env: PYBAK_EXCLUDE.")
    var exclude: [String] = []

    @Option(name: .customLong("min-age"), help: "Settle window: younger files wait for the next pass (default 10s; spec.source.minAge). Env: PYBAK_MIN_AGE.")
    var minAge: String?

    @Option(name: .customLong("level"), help: "gzip level 1 (fastest) to 9 (smallest), default 6 (spec.compression.level). Env: PYBAK_LEVEL.")
    var level: Int?

    @Option(name: .customLong("format"), help: "gzip (a .gz per file, default), zip or tar.gz (one archive per pass; spec.compression.format). Env: PYBAK_FORMAT.")
    var format: String?

    @Option(name: .customLong("parallel"), help: "Files compressed at once (default: number of cores; spec.parallelism). Env: PYBAK_PARALLEL.")
    var parallelism: Int?

    @Flag(name: .customLong("keep-source"), inversion: .prefixedNo, help: "Copy instead of move: leave sources in place (spec.keepSource). Env: PYBAK_KEEP_SOURCE.")
    var keepSource: Bool?

    @Option(name: .customLong("catalog"), help: "SQLite catalog file (default DEST/.pybak/catalog.sqlite). Env: PYBAK_CATALOG.")
    var catalogPath: String?

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("log-file"), help: "Log file (default DEST/.pybak/pybak.log). Env: PYBAK_LOG_FILE.")
    var logFilePath: String?

    @Flag(name: .customLong("encrypt"), help: "Encrypt stored copies with AES-256-GCM (.gz.enc; spec.encryption). Env: PYBAK_ENCRYPT.")
    var encrypt = false

    @Option(name: .customLong("key-file"), help: "The AES-256 key: base64 of 32 bytes or 32 raw bytes (implies --encrypt). Env: PYBAK_ENCRYPTION_KEY_FILE, or PYBAK_ENCRYPTION_KEY (base64).")
    var keyFile: String?

    @Option(name: .customLong("passphrase-file"), help: "A passphrase (first line) stretched with scrypt instead of a key (implies --encrypt).")
    var passphraseFile: String?

    @Flag(name: .customLong("prune"), help: "After each pass, remove versions outside the policy's spec.retention (as `pybak prune`). Env: PYBAK_PRUNE.")
    var prune = false

    @Option(name: .customLong("log-level"), help: "Least level shown on stderr: trace, debug, info, notice, warning, error (default notice). Env: PYBAK_LOG_LEVEL.")
    var logLevel: String?

    @OptionGroup var cloud: CloudOptions

    @OptionGroup var email: EmailOptions

    func validate() throws {
        if let level, !(1...9).contains(level) {
            throw ValidationError("--level \(level) is out of range; use 1 (fastest) to 9 (smallest)")
        }
        if let parallelism, !(1...256).contains(parallelism) {
            throw ValidationError("--parallel \(parallelism) is out of range; use 1 to 256")
        }
        if let logLevel, LogLevels.parse(logLevel) == nil {
            throw ValidationError("--log-level '\(logLevel)' is not a level; use trace, debug, info, notice, warning or error")
        }
    }

    /// Resolves flags over the policy file over the environment.
    /// - Parameter loaded: a policy read elsewhere (the worker's `PYBAK_POLICY_JSON`), used when no file is given.
    func settings(dryRun: Bool, environment: [String: String] = ProcessInfo.processInfo.environment, loaded: PolicyFile.Loaded? = nil) throws -> PassSettings {
        let file = try (policyFile ?? environment["PYBAK_POLICY_FILE"].flatMap { $0.isEmpty ? nil : $0 }).map(PolicyFile.load) ?? loaded
        var flags = PassFlags()
        flags.policyName = policyName
        flags.source = source
        flags.destination = destination
        flags.include = include
        flags.exclude = exclude
        flags.minAge = minAge
        flags.level = level
        flags.parallelism = parallelism
        flags.keepSource = keepSource
        flags.catalogPath = catalogPath
        flags.logFilePath = logFilePath
        flags.dryRun = dryRun
        flags.encrypt = encrypt
        flags.keyFile = keyFile
        flags.passphraseFile = passphraseFile
        flags.cloud = cloud.flags
        flags.email = email.flags
        flags.prune = prune
        flags.format = format
        return try SettingsResolver.resolve(file: file, flags: flags, environment: environment, cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The stderr level: flag, then PYBAK_LOG_LEVEL, then notice.
    func stderrLevel(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LogLevelChoice {
        let text = logLevel ?? environment["PYBAK_LOG_LEVEL"] ?? "notice"
        guard let level = LogLevels.parse(text) else {
            throw PyBakError(.config, "PYBAK_LOG_LEVEL '\(text)' is not a level; use trace, debug, info, notice, warning or error")
        }
        return level
    }
}
