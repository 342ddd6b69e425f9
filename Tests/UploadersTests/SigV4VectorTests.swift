import Archive
import Foundation
import Testing

@testable import Uploaders

/// The public SigV4 conformance vectors (aws4 project, MIT; copied from shared/test-vectors/sigv4), all but
/// `normalize-path`, which S3 does not apply.
@Suite("SigV4 signer against the public test vectors")
struct SigV4VectorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4")

    /// Every folder holding a `<name>.req`, except the normalize-path ones.
    static let cases: [String] = {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var found: [String] = []
        while let item = walker.nextObject() as? String {
            guard item.hasSuffix(".req"), !item.hasPrefix("normalize-path") else { continue }
            found.append(String(item.dropLast(4)))
        }
        return found.sorted()
    }()

    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", source: "test")

    private func read(_ casePath: String, _ ext: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent("\(casePath).\(ext)"), encoding: .utf8)
    }

    /// Parses a raw `.req`: request line, headers (continuation lines are further values), blank line, body.
    private func parse(_ raw: String) -> (request: SigV4Signer.Request, amzDate: String) {
        let lines = raw.components(separatedBy: "\n")
        let requestLine = lines[0].split(separator: " ")
        let target = String(requestLine[1...].dropLast().joined(separator: " "))
        let (path, queryText) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        var headers: [(name: String, value: String)] = []
        var index = 1
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.first == " " || line.first == "\t" {
                headers.append((name: headers.last!.name, value: line))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            }
            index += 1
        }
        let body = index + 1 < lines.count ? lines[(index + 1)...].joined(separator: "\n") : ""
        let query = queryText.isEmpty ? [] : queryText.split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
        let amzDate = headers.first { $0.name.lowercased() == "x-amz-date" }!.value
        let request = SigV4Signer.Request(
            method: String(requestLine[0]), encodedPath: SigV4Signer.encodePath(path), query: query, headers: headers,
            payloadHash: Hex.encode(Digest.sha256(Array(body.utf8))))
        return (request, amzDate)
    }

    @Test func findsTheVectors() {
        // 22 top-level cases plus the two session-token ones.
        #expect(Self.cases.count == 24)
    }

    @Test(arguments: cases)
    func reproducesCanonicalRequestStringToSignAndAuthorization(casePath: String) throws {
        let (request, amzDate) = parse(try read(casePath, "req"))
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        let canonical = signer.canonicalRequest(request).text
        #expect(canonical == (try read(casePath, "creq")))
        #expect(signer.stringToSign(canonicalRequest: canonical, amzDate: amzDate) == (try read(casePath, "sts")))
        let authorization = signer.authorization(request, amzDate: amzDate)
        #expect(authorization == (try read(casePath, "authz")))
        // The signed request is the original plus the Authorization line (and, for "after", the token added unsigned).
        #expect((try read(casePath, "sreq")).contains("Authorization: \(authorization)"))
    }

    @Test func signAddsDateTokenAndAuthorization() {
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "tok", source: "test")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "s3")
        let request = SigV4Signer.Request(method: "PUT", encodedPath: "/b/k", query: [], headers: [(name: "Host", value: "h")], payloadHash: "UNSIGNED-PAYLOAD")
        let headers = signer.sign(request, at: Date(timeIntervalSince1970: 1_440_938_160))
        #expect(headers.contains { $0.name == "X-Amz-Date" && $0.value == "20150830T123600Z" })
        #expect(headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == "tok" })
        let authorization = headers.last!.value
        #expect(authorization.contains("Credential=AKIDEXAMPLE/20150830/eu-west-1/s3/aws4_request"))
        #expect(authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token"))
    }

    @Test func encodesKeysOnceKeepingSlashes() {
        #expect(SigV4Signer.encodePath("/bucket/a b/ü+x=1.gz") == "/bucket/a%20b/%C3%BC%2Bx%3D1.gz")
        #expect(SigV4Signer.canonicalQuery([(name: "uploadId", value: "a/b+c"), (name: "partNumber", value: "2")]) == "partNumber=2&uploadId=a%2Fb%2Bc")
    }
}
