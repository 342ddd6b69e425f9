import Testing

@testable import PyBakCore

@Suite struct SettingsResolverTests {
    let file = try! PolicyFile.parse("""
        apiVersion: pybak.io/v1alpha1
        kind: BackupPolicy
        metadata: {name: fromfile}
        spec:
          source: {path: /file-src, minAge: 1m, exclude: ["*.tmp"]}
          destination: {path: /file-dst/}
          compression: {level: 4}
        """, origin: "p.yaml")

    @Test func flagsOverrideFileWhichOverridesEnvironment() throws {
        var flags = PassFlags()
        flags.source = "/flag-src"
        flags.level = 8
        let environment = ["PYBAK_SOURCE": "/env-src", "PYBAK_DEST": "/env-dst", "PYBAK_LEVEL": "2", "PYBAK_PARALLEL": "5"]
        let settings = try SettingsResolver.resolve(file: file, flags: flags, environment: environment, cores: 2)
        #expect(settings.sourceDir == "/flag-src")
        #expect(settings.destinationDir == "/file-dst")
        #expect(settings.level == 8)
        #expect(settings.parallelism == 5)
        #expect(settings.minAgeSeconds == 60)
        #expect(settings.policyName == "fromfile")
        #expect(settings.catalogPath == "/file-dst/.pybak/catalog.sqlite")
        #expect(!settings.filter.selects("x.tmp"))
    }

    @Test func environmentAloneIsEnough() throws {
        let environment = ["PYBAK_SOURCE": "/s", "PYBAK_DEST": "/d", "PYBAK_INCLUDE": "*.csv, *.json", "PYBAK_KEEP_SOURCE": "yes"]
        let settings = try SettingsResolver.resolve(file: nil, flags: PassFlags(), environment: environment, cores: 3)
        #expect(settings.parallelism == 3)
        #expect(settings.keepSource)
        #expect(settings.minAgeSeconds == 10)
        #expect(settings.filter.selects("a.json") && !settings.filter.selects("a.txt"))
        #expect(settings.policyName == "local")
    }

    @Test func missingSourceSaysHowToGiveIt() {
        #expect {
            try SettingsResolver.resolve(file: nil, flags: PassFlags(), environment: ["PYBAK_DEST": "/d"], cores: 1)
        } throws: { error in
            "\(error)".contains("--source") && "\(error)".contains("PYBAK_SOURCE")
        }
    }

    @Test func badValuesNameTheSetting() {
        #expect { try SettingsResolver.resolve(file: nil, flags: PassFlags(), environment: ["PYBAK_SOURCE": "/s", "PYBAK_DEST": "/d", "PYBAK_LEVEL": "11"], cores: 1) }
            throws: { "\($0)".contains("level 11") }
        #expect { try SettingsResolver.resolve(file: nil, flags: PassFlags(), environment: ["PYBAK_SOURCE": "/s", "PYBAK_DEST": "/d", "PYBAK_KEEP_SOURCE": "maybe"], cores: 1) }
            throws: { "\($0)".contains("PYBAK_KEEP_SOURCE") }
    }

    @Test func retentionIsCheckedWhenAPassReadsThePolicy() throws {
        let good = try PolicyFile.parse("source: {path: /s}\ndestination: {path: /d}\nretention: {keepLast: 3}", origin: "p.yaml")
        _ = try SettingsResolver.resolve(file: good, flags: PassFlags(), environment: [:], cores: 1)
        let bad = try PolicyFile.parse("source: {path: /s}\ndestination: {path: /d}\nretention: {keepLast: 0}", origin: "p.yaml")
        #expect { try SettingsResolver.resolve(file: bad, flags: PassFlags(), environment: [:], cores: 1) }
            throws: { "\($0)".contains("keepLast 0 must be at least 1") }
    }
}
