import Testing

@testable import PyBakCore

@Suite struct PolicyFileTests {
    @Test func readsAWholeBackupPolicy() throws {
        let loaded = try PolicyFile.parse("""
            apiVersion: pybak.io/v1alpha1
            kind: BackupPolicy
            metadata: {name: invoices, namespace: finance}
            spec:
              source: {path: /in, include: ["**/*.csv"], minAge: 30s, volume: {persistentVolumeClaim: {claimName: inbox}}}
              destination: {path: /out}
              compression: {format: gzip, level: 9}
              parallelism: 3
            """, origin: "p.yaml")
        #expect(loaded.name == "invoices")
        #expect(loaded.spec.source?.include == ["**/*.csv"])
        #expect(loaded.spec.compression?.level == 9)
        #expect(loaded.spec.parallelism == 3)
    }

    @Test func readsABareSpecInJSON() throws {
        let loaded = try PolicyFile.parse(#"{"source": {"path": "/in"}, "destination": {"path": "/out"}, "keepSource": true}"#, origin: "p.json")
        #expect(loaded.name == nil)
        #expect(loaded.spec.keepSource == true)
    }

    @Test func namesAnUnknownKey() {
        #expect {
            try PolicyFile.parse("source: {path: /in, minAgee: 10s}", origin: "p.yaml")
        } throws: { error in
            "\(error)".contains("p.yaml: spec.source.minAgee: unknown key")
        }
    }

    @Test func namesAWrongType() {
        #expect {
            try PolicyFile.parse("apiVersion: pybak.io/v1alpha1\nkind: BackupPolicy\nspec: {parallelism: lots}", origin: "p.yaml")
        } throws: { error in
            "\(error)".contains("spec.parallelism") && "\(error)".contains("whole number")
        }
    }

    @Test func rejectsAnotherKind() {
        #expect {
            try PolicyFile.parse("apiVersion: v1\nkind: ConfigMap\nspec: {}", origin: "p.yaml")
        } throws: { error in
            "\(error)".contains("apiVersion")
        }
    }

    @Test func rejectsBrokenYAML() {
        #expect(throws: PyBakError.self) { try PolicyFile.parse("source: [unclosed", origin: "p.yaml") }
    }
}
