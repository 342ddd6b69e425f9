/// Everything one pass needs, resolved from flags, a policy file and `PYBAK_*` variables.
public struct PassSettings: Sendable, Equatable {
    /// The policy name recorded in the catalog (`metadata.name`, `--policy`, or `local`).
    public var policyName: String
    /// The folder files arrive in.
    public var sourceDir: String
    /// The folder stored copies go to.
    public var destinationDir: String
    /// Include/exclude patterns.
    public var filter: PathFilter
    /// Files modified less than this many seconds ago wait for the next pass.
    public var minAgeSeconds: Double
    /// zlib level 1...9.
    public var level: Int
    /// Files processed at once.
    public var parallelism: Int
    /// Leave sources in place (copy) instead of removing them (move).
    public var keepSource: Bool
    /// The SQLite catalog file.
    public var catalogPath: String
    /// The log file.
    public var logFilePath: String
    /// List what would be done, change nothing.
    public var dryRun: Bool
    /// The share of the files this process takes (`pybak worker` in an Indexed Job); all by default.
    public var shard = ShardSelector.all
    /// Where the AES-256 key comes from when stored copies are encrypted (`.gz.enc`); nil: not encrypted.
    public var encryption: KeySource? = nil
    /// Uploads after each committed batch, and whether the local copy stays.
    public var cloud: CloudSettings = .none
    /// The report e-mail, if one is configured.
    public var email: EmailSettings?
    /// Retention applied by `pybak prune`, and after each pass when `pruneAfterPass`.
    public var retention: RetentionRules? = nil
    /// Apply `retention` at the end of each pass (`--prune`).
    public var pruneAfterPass = false
    /// One gzip copy per file, or one zip / tar.gz archive per pass.
    public var format = StorageFormat.gzip

    /// Creates settings; `SettingsResolver` is the usual way.
    public init(
        policyName: String, sourceDir: String, destinationDir: String, filter: PathFilter, minAgeSeconds: Double, level: Int,
        parallelism: Int, keepSource: Bool, catalogPath: String, logFilePath: String, dryRun: Bool
    ) {
        self.policyName = policyName
        self.sourceDir = sourceDir
        self.destinationDir = destinationDir
        self.filter = filter
        self.minAgeSeconds = minAgeSeconds
        self.level = level
        self.parallelism = parallelism
        self.keepSource = keepSource
        self.catalogPath = catalogPath
        self.logFilePath = logFilePath
        self.dryRun = dryRun
    }

    /// The folder inside the destination that holds PyBak's own state.
    public static let stateFolderName = ".pybak"
}

/// The values given on the command line; nil means "not given".
public struct PassFlags: Sendable, Equatable {
    public var policyName: String?
    public var source: String?
    public var destination: String?
    public var include: [String] = []
    public var exclude: [String] = []
    public var minAge: String?
    public var level: Int?
    public var parallelism: Int?
    public var keepSource: Bool?
    public var catalogPath: String?
    public var logFilePath: String?
    public var dryRun: Bool = false
    /// `--encrypt`.
    public var encrypt: Bool = false
    /// `--key-file`.
    public var keyFile: String?
    /// `--passphrase-file`.
    public var passphraseFile: String?
    public var cloud = CloudFlags()
    public var email = EmailFlags()
    /// `--prune`: apply spec.retention after the pass.
    public var prune: Bool = false
    /// `--format`: gzip, zip or tar.gz.
    public var format: String?

    /// No flags.
    public init() {}
}

/// Layers flags over the policy file over `PYBAK_*` environment variables, and checks the result.
public enum SettingsResolver {
    /// The environment variables read, with what they fill.
    public static let environmentKeys: [(name: String, meaning: String)] = [
        ("PYBAK_POLICY_FILE", "policy file (like -f)"),
        ("PYBAK_POLICY", "policy name"),
        ("PYBAK_SOURCE", "source folder"),
        ("PYBAK_DEST", "destination folder"),
        ("PYBAK_INCLUDE", "include patterns, comma-separated"),
        ("PYBAK_EXCLUDE", "exclude patterns, comma-separated"),
        ("PYBAK_MIN_AGE", "settle window"),
        ("PYBAK_LEVEL", "compression level"),
        ("PYBAK_FORMAT", "gzip, zip or tar.gz (like --format)"),
        ("PYBAK_PARALLEL", "files at once"),
        ("PYBAK_KEEP_SOURCE", "true to copy instead of move"),
        ("PYBAK_CATALOG", "SQLite catalog path"),
        ("PYBAK_LOG_FILE", "log file path"),
        ("PYBAK_ENCRYPT", "true to encrypt stored copies (like --encrypt)"),
        ("PYBAK_ENCRYPTION_KEY", "base64 of the 32-byte AES-256 key"),
        ("PYBAK_ENCRYPTION_KEY_FILE", "file holding the key (like --key-file)"),
        ("PYBAK_PRUNE", "true to apply spec.retention after each pass (like --prune)"),
    ]

    /// Resolves the settings of one pass.
    /// - Parameters:
    ///   - file: the loaded policy file, if any.
    ///   - flags: the command-line values.
    ///   - environment: the process environment.
    ///   - cores: the number of cores (default parallelism).
    /// - Throws: `PyBakError.config`/`.usage` naming the setting and what to do.
    public static func resolve(file: PolicyFile.Loaded?, flags: PassFlags, environment: [String: String], cores: Int) throws -> PassSettings {
        let spec = file?.spec ?? BackupPolicySpec()
        func env(_ key: String) -> String? {
            guard let value = environment[key], !value.isEmpty else { return nil }
            return value
        }
        func list(_ key: String) -> [String] {
            env(key).map { $0.split(separator: ",").map { String($0).trimmed(" ") }.filter { !$0.isEmpty } } ?? []
        }
        try spec.retention?.validate()

        guard let source = flags.source ?? spec.source?.path ?? env("PYBAK_SOURCE") else {
            throw PyBakError(.usage, "no source folder: pass --source DIR, set spec.source.path in the policy file, or PYBAK_SOURCE")
        }
        guard let destination = flags.destination ?? spec.destination?.path ?? env("PYBAK_DEST") else {
            throw PyBakError(.usage, "no destination folder: pass --dest DIR, set spec.destination.path in the policy file, or PYBAK_DEST")
        }
        let includeTexts = !flags.include.isEmpty ? flags.include : (spec.source?.include ?? list("PYBAK_INCLUDE"))
        let excludeTexts = !flags.exclude.isEmpty ? flags.exclude : (spec.source?.exclude ?? list("PYBAK_EXCLUDE"))
        let filter = PathFilter(include: try includeTexts.map(GlobPattern.init), exclude: try excludeTexts.map(GlobPattern.init))

        let minAgeText = flags.minAge ?? spec.source?.minAge ?? env("PYBAK_MIN_AGE") ?? "10s"
        let minAge = try DurationText.seconds(minAgeText, field: flags.minAge != nil ? "--min-age" : "spec.source.minAge")

        let format: StorageFormat
        if let text = flags.format {
            format = try StorageFormat.parse(text, field: "--format")
        } else if let text = spec.compression?.format {
            format = try StorageFormat.parse(text, field: "spec.compression.format")
        } else {
            format = try env("PYBAK_FORMAT").map { try StorageFormat.parse($0, field: "PYBAK_FORMAT") } ?? .gzip
        }
        let level = try flags.level ?? spec.compression?.level ?? env("PYBAK_LEVEL").map { try integer($0, "PYBAK_LEVEL") } ?? 6
        guard (1...9).contains(level) else {
            throw PyBakError(.config, "compression level \(level) is out of range; use 1 (fastest) to 9 (smallest)")
        }
        let parallelism = try flags.parallelism ?? spec.parallelism ?? env("PYBAK_PARALLEL").map { try integer($0, "PYBAK_PARALLEL") } ?? max(1, cores)
        guard (1...256).contains(parallelism) else {
            throw PyBakError(.config, "parallelism \(parallelism) is out of range; use 1 to 256")
        }
        let keepSource = try flags.keepSource ?? spec.keepSource ?? env("PYBAK_KEEP_SOURCE").map { try boolean($0, "PYBAK_KEEP_SOURCE") } ?? false

        let encryption = try encryptionSource(spec: spec, flags: flags, environment: environment)

        let sourceDir = normalize(source)
        let destinationDir = normalize(destination)
        let state = "\(destinationDir)/\(PassSettings.stateFolderName)"
        var settings = PassSettings(
            policyName: flags.policyName ?? file?.name ?? env("PYBAK_POLICY") ?? "local",
            sourceDir: sourceDir,
            destinationDir: destinationDir,
            filter: filter,
            minAgeSeconds: minAge,
            level: level,
            parallelism: parallelism,
            keepSource: keepSource,
            catalogPath: flags.catalogPath ?? env("PYBAK_CATALOG") ?? "\(state)/catalog.sqlite",
            logFilePath: flags.logFilePath ?? env("PYBAK_LOG_FILE") ?? "\(state)/pybak.log",
            dryRun: flags.dryRun
        )
        settings.encryption = encryption
        settings.format = format
        settings.cloud = try resolveCloud(spec: spec, flags: flags.cloud, environment: environment)
        settings.email = try resolveEmail(spec: spec, flags: flags.email, environment: environment)
        settings.retention = spec.retention
        settings.pruneAfterPass = try flags.prune || (env("PYBAK_PRUNE").map { try boolean($0, "PYBAK_PRUNE") } ?? false)
        if settings.pruneAfterPass && (spec.retention?.isEmpty ?? true) {
            throw PyBakError(.usage, "--prune applies the policy's spec.retention, and it has none; add spec.retention (e.g. {keepLast: 30}) to the policy file")
        }
        return settings
    }

    /// Whether stored copies are encrypted, and with which key: flags, then `spec.encryption`, then the environment.
    private static func encryptionSource(spec: BackupPolicySpec, flags: PassFlags, environment: [String: String]) throws -> KeySource? {
        let fromFlags = try KeySource.resolve(keyFile: flags.keyFile, passphraseFile: flags.passphraseFile, environment: [:])
        let wanted = try flags.encrypt || fromFlags != nil || spec.encryption != nil
            || (environment["PYBAK_ENCRYPT"].map { try boolean($0, "PYBAK_ENCRYPT") } ?? false)
        guard wanted else { return nil }
        if let fromFlags { return fromFlags }
        if let encryption = spec.encryption {
            if encryption.keyFile != nil && encryption.passphraseFile != nil {
                throw PyBakError(.config, "spec.encryption: keyFile and passphraseFile exclude each other; keep one")
            }
            if let path = encryption.keyFile { return .keyFile(path) }
            if let path = encryption.passphraseFile { return .passphraseFile(path) }
        }
        if let source = try KeySource.resolve(keyFile: nil, passphraseFile: nil, environment: environment) { return source }
        // A dry run reads no key; it names the variable a worker would be given.
        if flags.dryRun { return .environment(KeySource.keyVariable) }
        if spec.encryption?.keySecretRef != nil {
            throw PyBakError(
                .config,
                "spec.encryption.keySecretRef names a Kubernetes Secret, which a local pass cannot read; the worker gets it as \(KeySource.keyVariable). Set spec.encryption.keyFile, pass --key-file, or set \(KeySource.keyVariable)")
        }
        throw PyBakError(
            .usage,
            "encryption is on but no key is given: pass --key-file FILE (make one with `pybak keygen > FILE`), --passphrase-file FILE, or set \(KeySource.keyVariable)")
    }

    private static func integer(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text.trimmed(" ")) else {
            throw PyBakError(.config, "\(name): '\(text)' is not a whole number")
        }
        return value
    }

    private static func boolean(_ text: String, _ name: String) throws -> Bool {
        switch text.lowercased().trimmed(" ") {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw PyBakError(.config, "\(name): '\(text)' is not true or false")
        }
    }

    /// Drops trailing slashes (but keeps `/`).
    public static func normalize(_ path: String) -> String {
        var result = path
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
