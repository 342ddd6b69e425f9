import Foundation
import PyBakCore
import Testing

@testable import Uploaders

@Suite("S3 endpoint, part sizes and credentials")
struct S3SettingsTests {
    @Test func pathStyleAndVirtualHostedAddresses() throws {
        var target = S3Target(bucket: "acme", region: "eu-west-1")
        let aws = try S3Endpoint(target)
        #expect(aws.base == "https://acme.s3.eu-west-1.amazonaws.com")
        #expect(aws.host == "acme.s3.eu-west-1.amazonaws.com")
        #expect(aws.path(forKey: "p/a b.gz") == "/p/a%20b.gz")
        target.endpoint = "http://127.0.0.1:9000/"
        target.pathStyle = true
        let local = try S3Endpoint(target)
        #expect(local.base == "http://127.0.0.1:9000")
        #expect(local.host == "127.0.0.1:9000")
        #expect(local.path(forKey: "k/ü.gz") == "/acme/k/%C3%BC.gz")
        target.endpoint = "ftp://x"
        #expect(throws: UploadError.self) { try S3Endpoint(target) }
        target.endpoint = "https://host/bucket"
        #expect(throws: UploadError.self) { try S3Endpoint(target) }
    }

    @Test func keysJoinPrefixAndStoredPath() {
        #expect(S3Uploader.joinKey(prefix: "/team/a/", "sub/x.gz") == "team/a/sub/x.gz")
        #expect(S3Uploader.joinKey(prefix: "", "x.gz") == "x.gz")
    }

    @Test func partSizeGrowsSoNoUploadNeedsMoreThan10000Parts() {
        #expect(S3Uploader.partSize(for: 1 << 30, configured: 16 << 20) == 16 << 20)
        #expect(S3Uploader.partSize(for: 1 << 30, configured: 1) == S3Target.minimumPartSize)
        let huge: Int64 = 1 << 40
        #expect(S3Uploader.partSize(for: huge, configured: 16 << 20) * 10_000 >= huge)
    }

    @Test func credentialsFromFolderEnvironmentAndSharedFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "AKIAFOLDER\n".write(toFile: "\(dir)/AWS_ACCESS_KEY_ID", atomically: true, encoding: .utf8)
        var target = S3Target(bucket: "b")
        target.credentialsDir = dir
        #expect(throws: UploadError.self) { try AWSCredentialsLoader.load(for: target, environment: [:]) }
        try "s3cr3t\n".write(toFile: "\(dir)/AWS_SECRET_ACCESS_KEY", atomically: true, encoding: .utf8)
        let fromFolder = try AWSCredentialsLoader.load(for: target, environment: ["AWS_ACCESS_KEY_ID": "ignored"])
        #expect(fromFolder.accessKeyId == "AKIAFOLDER" && fromFolder.secretAccessKey == "s3cr3t" && fromFolder.sessionToken == nil)

        target.credentialsDir = nil
        let fromEnv = try AWSCredentialsLoader.load(for: target, environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SESSION_TOKEN": "T"])
        #expect(fromEnv == AWSCredentials(accessKeyId: "A", secretAccessKey: "S", sessionToken: "T", source: "environment"))
        #expect(throws: UploadError.self) { try AWSCredentialsLoader.load(for: target, environment: ["AWS_ACCESS_KEY_ID": "A"]) }

        let shared = "\(dir)/credentials"
        try "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[ci]\naws_access_key_id=C\naws_secret_access_key=CS\naws_session_token=CT\n"
            .write(toFile: shared, atomically: true, encoding: .utf8)
        let env = ["AWS_SHARED_CREDENTIALS_FILE": shared]
        #expect(try AWSCredentialsLoader.load(for: target, environment: env).accessKeyId == "D")
        let ci = try AWSCredentialsLoader.load(for: target, environment: env.merging(["AWS_PROFILE": "ci"]) { $1 })
        #expect(ci.accessKeyId == "C" && ci.sessionToken == "CT")
        target.profile = "missing"
        #expect(throws: UploadError.self) { try AWSCredentialsLoader.load(for: target, environment: env) }
        #expect(throws: UploadError.self) { try AWSCredentialsLoader.load(for: S3Target(bucket: "b"), environment: ["HOME": dir + "/nowhere"]) }
    }
}
