import Foundation
import Testing

@testable import PyBakCore

/// `spec.cloud.gcs`, the `--gcs-*` flags and `PYBAK_GCS_*` (helpers in CloudSettingsTests.swift).
extension CloudSettingsTests {
    @Test func gcsFromPolicyFlagsAndEnvironment() throws {
        let spec = "cloud: {gcs: {bucket: logs, prefix: app/, credentialsFile: /k/sa.json, chunkSize: 512Ki, multipartThreshold: 1Mi, timeout: 1m}}"
        let gcs = try #require(try resolve(spec).gcs)
        #expect(gcs.bucket == "logs" && gcs.prefix == "app/" && gcs.credentialsFile == "/k/sa.json" && gcs.endpoint == "https://storage.googleapis.com")
        #expect(gcs.chunkSize == 512 << 10 && gcs.multipartThreshold == 1 << 20 && gcs.timeoutSeconds == 60 && gcs.tokenEndpoint == nil)
        var flags = CloudFlags()
        flags.gcsBucket = "other"
        flags.gcsEndpoint = "http://127.0.0.1:9023/"
        flags.gcsTokenEndpoint = "http://127.0.0.1:9024/token"
        let overridden = try #require(try resolve(spec, flags: flags).gcs)
        #expect(overridden.bucket == "other" && overridden.endpoint == "http://127.0.0.1:9023" && overridden.tokenEndpoint == "http://127.0.0.1:9024/token")
        // The operator mounts the Secret and names the file in PYBAK_GCS_CREDENTIALS_FILE; GOOGLE_APPLICATION_CREDENTIALS is the fallback.
        let mounted = try #require(
            try resolve("cloud: {gcs: {bucket: b, credentialsSecretRef: {name: sa}}}",
                environment: ["PYBAK_GCS_CREDENTIALS_FILE": "/var/run/pybak/gcs/key.json", "GOOGLE_APPLICATION_CREDENTIALS": "/g.json"]).gcs)
        #expect(mounted.credentialsFile == "/var/run/pybak/gcs/key.json")
        let adc = try resolve("", environment: ["PYBAK_GCS_BUCKET": "e", "GOOGLE_APPLICATION_CREDENTIALS": "/g.json"])
        #expect(adc.gcs?.credentialsFile == "/g.json" && adc.s3 == nil && adc.hasTargets)
        let both = try resolve("keepLocalCopy: false\ncloud: {s3: {bucket: a}, gcs: {bucket: b, credentialsFile: /k}}")
        #expect(both.s3 != nil && both.gcs != nil && !both.keepLocalCopy)
        #expect(try resolve("").gcs == nil)
    }

    @Test func badGCSValuesNameTheirKey() throws {
        #expect(message { _ = try resolve("cloud: {gcs: {bucket: b}}") }.contains("needs a service-account JSON key"))
        #expect(message { _ = try resolve("cloud: {gcs: {bucket: b, credentialsFile: /k, chunkSize: 300Ki}}") }.contains("spec.cloud.gcs.chunkSize"))
        #expect(message { _ = try resolve("cloud: {gcs: {bucket: b, credentialsFile: /k, bukcet: c}}") }.contains("spec.cloud.gcs.bukcet is not a setting"))
        #expect(message { _ = try resolve("cloud: {gcs: {bucket: 'gs://b', credentialsFile: /k}}") }.contains("spec.cloud.gcs.bucket"))
        #expect(message { _ = try resolve("cloud: {gcs: {bucket: b, credentialsFile: /k, endpoint: emulator:9023}}") }.contains("spec.cloud.gcs.endpoint"))
        #expect(message { _ = try resolve("cloud: {gcs: {bucket: b, credentialsFile: 5}}") }.contains("spec.cloud.gcs.credentialsFile: expected a string"))
        #expect(message { _ = try resolve("cloud: {gcs: {prefix: p}}") }.contains("without a bucket"))
    }
}
