import Testing

@testable import PyBakCore

@Suite struct EncryptionSettingsTests {
    let base = ["PYBAK_SOURCE": "/s", "PYBAK_DEST": "/d"]

    func resolve(_ spec: String? = nil, flags: PassFlags = PassFlags(), environment: [String: String] = [:]) throws -> KeySource? {
        let file = try spec.map { try PolicyFile.parse("source: {path: /s}\ndestination: {path: /d}\n" + $0, origin: "p.yaml") }
        return try SettingsResolver.resolve(file: file, flags: flags, environment: base.merging(environment) { $1 }, cores: 1).encryption
    }

    @Test func offUnlessAsked() throws {
        #expect(try resolve(environment: ["PYBAK_ENCRYPTION_KEY": "abc"]) == nil)
    }

    @Test func flagsWinOverThePolicyAndTheEnvironment() throws {
        var flags = PassFlags()
        flags.keyFile = "/flag.key"
        #expect(try resolve("encryption: {keyFile: /spec.key}", flags: flags, environment: ["PYBAK_ENCRYPTION_KEY": "x"]) == .keyFile("/flag.key"))
        #expect(try resolve("encryption: {passphraseFile: /pass}") == .passphraseFile("/pass"))
        flags = PassFlags()
        flags.encrypt = true
        #expect(try resolve(flags: flags, environment: ["PYBAK_ENCRYPTION_KEY_FILE": "/env.key", "PYBAK_ENCRYPTION_KEY": "x"]) == .keyFile("/env.key"))
        #expect(try resolve(flags: flags, environment: ["PYBAK_ENCRYPTION_KEY": "x"]) == .environment("PYBAK_ENCRYPTION_KEY"))
        #expect(try resolve(environment: ["PYBAK_ENCRYPT": "true", "PYBAK_ENCRYPTION_KEY": "x"]) == .environment("PYBAK_ENCRYPTION_KEY"))
    }

    @Test func aSecretRefNeedsTheWorkerVariable() throws {
        #expect { try resolve("encryption: {keySecretRef: {name: k, key: key}}") } throws: { "\($0)".contains("PYBAK_ENCRYPTION_KEY") }
        #expect(try resolve("encryption: {keySecretRef: {name: k, key: key}}", environment: ["PYBAK_ENCRYPTION_KEY": "x"]) == .environment("PYBAK_ENCRYPTION_KEY"))
        var dryRun = PassFlags()
        dryRun.dryRun = true
        #expect(try resolve("encryption: {keySecretRef: {name: k, key: key}}", flags: dryRun) == .environment("PYBAK_ENCRYPTION_KEY"))
    }

    @Test func conflictsAndMissingKeysAreNamed() throws {
        var flags = PassFlags()
        flags.keyFile = "/a"
        flags.passphraseFile = "/b"
        #expect { try resolve(flags: flags) } throws: { "\($0)".contains("exclude each other") }
        flags = PassFlags()
        flags.encrypt = true
        #expect { try resolve(flags: flags) } throws: { "\($0)".contains("pybak keygen") }
        #expect { try resolve("encryption: {keyfile: /typo}") } throws: { "\($0)".contains("keyfile") }
    }
}
