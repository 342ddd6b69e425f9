import PyBakCore
import Testing
import Transport

@testable import Uploaders

/// How S3's answers to a GetObject become restore's errors (the exchanges themselves run against moto in Tests/E2E).
@Suite struct S3ObjectSourceTests {
    func source() throws -> S3ObjectSource {
        try S3ObjectSource(
            settings: S3Target(bucket: "bk", endpoint: "http://127.0.0.1:9", pathStyle: true),
            credentials: AWSCredentials(accessKeyId: "id", secretAccessKey: "secret", source: "test"))
    }

    func status(_ code: Int, _ service: String) -> TransportError {
        TransportError(kind: .status, endpoint: "GET http://127.0.0.1:9/bk/k", status: code, serviceMessage: service, detail: "")
    }

    @Test func aMissingKeyIsMissingAndNamesBucketAndKey() throws {
        let error = try source().objectError(status(404, "NoSuchKey: The specified key does not exist."), key: "pre/a.gz")
        #expect(error == .missing(location: "s3://bk", path: "pre/a.gz"))
        #expect(error.description == "the stored copy pre/a.gz is missing from s3://bk")
    }

    @Test func aMissingBucketIsNotAMissingCopy() throws {
        let error = try source().objectError(status(404, "NoSuchBucket: The specified bucket does not exist"), key: "k")
        guard case .unreadable(_, _, let reason) = error else { Issue.record("expected unreadable, got \(error)"); return }
        #expect(reason.contains("the bucket bk does not exist"))
    }

    @Test func refusedCredentialsStopFurtherRequestsToTheStore() throws {
        let s3 = try source()
        let error = s3.objectError(status(403, "SignatureDoesNotMatch: The request signature we calculated does not match"), key: "k1")
        guard case .unreadable(let location, _, let reason) = error else { Issue.record("expected unreadable, got \(error)"); return }
        #expect(location == "s3://bk" && reason.contains("HTTP 403") && reason.contains("check AWS_SECRET_ACCESS_KEY"))
        // The next object is not requested at all (the endpoint, port 9, would refuse the connection anyway).
        let next = #expect(throws: StoredObjectError.self) { _ = try s3.open("k2") }
        guard case .unreadable(_, let path, let why)? = next else { Issue.record("expected unreadable"); return }
        #expect(path == "k2" && why.hasPrefix("not tried, the store failed before:") && why.contains("SignatureDoesNotMatch"))
    }

    @Test func anUnreachableEndpointSaysWhatToCheck() throws {
        let error = try source().objectError(
            TransportError(kind: .network, endpoint: "GET http://127.0.0.1:9/bk/k", detail: "Couldn't connect to server"), key: "k")
        #expect(error.description.contains("cannot be reached: check --s3-endpoint"))
    }
}
