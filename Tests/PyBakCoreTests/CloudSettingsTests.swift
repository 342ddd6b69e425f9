import Testing

@testable import PyBakCore

@Suite struct CloudSettingsTests {
    private func resolve(_ specText: String, flags: CloudFlags = CloudFlags(), environment: [String: String] = [:]) throws -> CloudSettings {
        let file = try PolicyFile.parse("source: {path: /s}\ndestination: {path: /d}\n" + specText, origin: "p.yaml")
        var passFlags = PassFlags()
        passFlags.cloud = flags
        return try SettingsResolver.resolve(file: file, flags: passFlags, environment: environment, cores: 1).cloud
    }

    private func message(_ body: () throws -> Void) -> String {
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

    @Test func badValuesNameTheirKey() {
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, buckte: c}}") }.contains("spec.cloud.s3.buckte is not a setting"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, pathStyle: maybe}}") }.contains("spec.cloud.s3.pathStyle: expected true or false"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, partSize: 1Mi}}") }.contains("spec.cloud.s3.partSize"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, multipartThreshold: lots}}") }.contains("spec.cloud.s3.multipartThreshold: 'lots' is not a size"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: 's3://b'}}") }.contains("spec.cloud.s3.bucket"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, endpoint: minio:9000}}") }.contains("spec.cloud.s3.endpoint"))
        #expect(message { _ = try resolve("cloud: {s3: {bucket: b, storageClass: cheap}}") }.contains("spec.cloud.s3.storageClass"))
        #expect(message { _ = try resolve("cloud: {s3: {region: eu-west-1}}") }.contains("without a bucket"))
        #expect(message { _ = try resolve("cloud: {azure: {}}") }.contains("spec.cloud.azure is not a cloud target"))
        #expect(message { _ = try resolve("keepLocalCopy: false") }.contains("needs a cloud target"))
    }
}
