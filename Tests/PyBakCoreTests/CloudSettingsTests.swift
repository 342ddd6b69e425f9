import Foundation
import Testing

@testable import PyBakCore

@Suite struct CloudSettingsTests {
    func resolve(_ specText: String, flags: CloudFlags = CloudFlags(), environment: [String: String] = [:]) throws -> CloudSettings {
        let file = try PolicyFile.parse("source: {path: /s}\ndestination: {path: /d}\n" + specText, origin: "p.yaml")
        var passFlags = PassFlags()
        passFlags.cloud = flags
        return try SettingsResolver.resolve(file: file, flags: passFlags, environment: environment, cores: 1).cloud
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func policyFlagsAndEnvironmentLayer() throws {
        let spec = """
            keepLocalCopy: false
            cloud:
              s3: {bucket: acme, region: eu-west-1, prefix: fin/, pathStyle: true, storageClass: STANDARD_IA, multipartThreshold: 8Mi, partSize: 6291456, timeout: 2m}
            """
        let cloud = try resolve(spec)
        let s3 = try #require(cloud.s3)
        #expect(!cloud.keepLocalCopy)
        #expect(s3.bucket == "acme" && s3.region == "eu-west-1" && s3.prefix == "fin/" && s3.pathStyle)
        #expect(s3.storageClass == "STANDARD_IA" && s3.multipartThreshold == 8 << 20 && s3.partSize == 6 << 20 && s3.timeoutSeconds == 120)
        var flags = CloudFlags()
        flags.s3Bucket = "other"
        flags.s3PathStyle = false
        let overridden = try #require(try resolve(spec, flags: flags).s3)
        #expect(overridden.bucket == "other" && !overridden.pathStyle)
        let fromEnv = try #require(try resolve("", environment: ["PYBAK_S3_BUCKET": "e", "AWS_REGION": "ap-south-1"]).s3)
        #expect(fromEnv.bucket == "e" && fromEnv.region == "ap-south-1" && fromEnv.multipartThreshold == 16 << 20)
        #expect(try resolve("").s3 == nil)
    }

    @Test func badValuesNameTheirKey() throws {
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, buckte: c}}") }.contains("spec.cloud.s3.buckte is not a setting"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, pathStyle: maybe}}") }.contains("spec.cloud.s3.pathStyle: expected true or false"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, partSize: 1Mi}}") }.contains("spec.cloud.s3.partSize"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, multipartThreshold: lots}}") }.contains("spec.cloud.s3.multipartThreshold: 'lots' is not a size"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: 's3://b'}}") }.contains("spec.cloud.s3.bucket"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, endpoint: minio:9000}}") }.contains("spec.cloud.s3.endpoint"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, storageClass: cheap}}") }.contains("spec.cloud.s3.storageClass"))
        #expect(message { _ = try resolve("cloud: {s3: {region: eu-west-1}}") }.contains("without a bucket"))
        #expect(message { _ = try resolve("cloud: {azure: {}}") }.contains("spec.cloud.azure is not a cloud target"))
        // Without a target the local copy is the only one and stays.
        #expect(try resolve("keepLocalCopy: false").keepLocalCopy)
    }
}

@Suite struct EmailSettingsTests {
    private func resolve(_ specText: String, flags: EmailFlags = EmailFlags(), environment: [String: String] = [:]) throws -> EmailSettings? {
        let file = try PolicyFile.parse("source: {path: /s}\ndestination: {path: /d}\n" + specText, origin: "p.yaml")
        var passFlags = PassFlags()
        passFlags.email = flags
        return try SettingsResolver.resolve(file: file, flags: passFlags, environment: environment, cores: 1).email
    }

    @Test func policyAndMountedSecretFolder() throws {
        let dir = "/tmp/pybak-smtp-secret-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "smtp://mail.example:587\n".write(toFile: "\(dir)/url", atomically: true, encoding: .utf8)
        try "ops@example.com".write(toFile: "\(dir)/username", atomically: true, encoding: .utf8)
        try "pw".write(toFile: "\(dir)/password", atomically: true, encoding: .utf8)
        let spec = "report: {email: {to: [a@example.com, b@example.com], from: 'PyBak <pybak@example.com>', when: failure, smtpSecretRef: {name: smtp}}}"
        let email = try #require(try resolve(spec, environment: ["PYBAK_SMTP_SECRET_DIR": dir]))
        #expect(email.smtpURL == "smtp://mail.example:587" && email.user == "ops@example.com" && email.passwordFile == "\(dir)/password")
        #expect(email.to == ["a@example.com", "b@example.com"] && email.when == .failure)
        #expect(EmailSettings.address(of: email.from) == "pybak@example.com")
        #expect(try resolve("") == nil)
    }

    @Test func badValuesNameTheirKey() {
        func message(_ spec: String, _ flags: EmailFlags = EmailFlags()) -> String {
            do { _ = try resolve(spec, flags: flags); return "no error" } catch { return "\(error)" }
        }
        var flags = EmailFlags()
        flags.smtpURL = "smtp://h:587"
        #expect(message("report: {email: {to: [a@b.c], from: x@y.z, when: sometimes}}", flags).contains("spec.report.email.when 'sometimes'"))
        #expect(message("report: {email: {to: [a@b.c], from: x@y.z, sendTo: q}}", flags).contains("spec.report.email.sendTo is not a setting"))
        #expect(message("report: {email: {to: [a@b.c], from: x@y.z, smtpUrl: 'http://h'}}").contains("must start with smtp://"))
        #expect(message("report: {email: {to: [a@b.c]}}", flags).contains("spec.report.email.from is missing"))
        #expect(message("report: {email: {to: [nobody], from: x@y.z}}", flags).contains("'nobody' is not an address"))
        #expect(message("report: {email: {to: [a@b.c], from: x@y.z}}").contains("without a server"))
    }
}
