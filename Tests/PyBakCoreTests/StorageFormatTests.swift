import Testing

@testable import PyBakCore

@Suite struct StorageFormatTests {
    let environment = ["PYBAK_SOURCE": "/s", "PYBAK_DEST": "/d"]

    func resolve(flag: String? = nil, spec: String? = nil, env: String? = nil) throws -> StorageFormat {
        var flags = PassFlags()
        flags.format = flag
        let file = try spec.map { try PolicyFile.parse("compression: {format: \($0)}", origin: "p.yaml") }
        var environment = self.environment
        environment["PYBAK_FORMAT"] = env
        return try SettingsResolver.resolve(file: file, flags: flags, environment: environment, cores: 1).format
    }

    @Test func gzipByDefaultThenEnvironmentThenFileThenFlag() throws {
        #expect(try resolve() == .gzip)
        #expect(try resolve(env: "zip") == .zip)
        #expect(try resolve(spec: "tar.gz", env: "zip") == .tarGz)
        #expect(try resolve(flag: "zip", spec: "tar.gz", env: "gzip") == .zip)
    }

    @Test func anUnknownFormatNamesWhereItCameFrom() {
        for (flag, spec, field) in [("rar", nil, "--format"), (nil, "7z", "spec.compression.format")] as [(String?, String?, String)] {
            #expect {
                try resolve(flag: flag, spec: spec)
            } throws: { error in
                "\(error)".contains(field) && "\(error)".contains("use gzip, zip or tar.gz")
            }
        }
    }

    @Test func archivesAreNamedPerPass() {
        let stamp = PassStamp(epochSeconds: 1_700_000_000)
        #expect(OutputNaming.archiveName(format: .zip, stamp: stamp) == "pybak_20231114T221320Z.zip")
        #expect(OutputNaming.archiveName(format: .tarGz, stamp: stamp, attempt: 2, encrypted: true) == "pybak_20231114T221320Z_2.tar.gz.enc")
        // In an archive the member keeps its path, so a name too long for `<name>_<stamp>.gz` is fine.
        let long = String(repeating: "n", count: 240)
        #expect(OutputNaming.problem(storingRelativePath: long) != nil)
        #expect(OutputNaming.problem(storingRelativePath: long, format: .zip) == nil)
    }
}
