import COpenSSL
import Foundation
import PyBakCore
import Transport
import Testing

@testable import Uploaders

@Suite("GCS: CRC-32C, service-account JWT, multipart framing")
struct GCSUnitTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gcs")

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    // RFC 3720 (iSCSI) appendix B.4 vectors and the common check value.
    @Test func crc32cMatchesPublishedVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        // GCS writes it as Base64 of the big-endian bytes.
        #expect(CRC32C.base64(0xE306_9283) == "4waSgw==")
    }

    @Test func crc32cIsTheSameFedInPiecesAndFromAFile() throws {
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        var pieces = CRC32C()
        for chunk in stride(from: 0, to: bytes.count, by: 7_777) {
            bytes[chunk..<min(bytes.count, chunk + 7_777)].withUnsafeBytes { pieces.update($0) }
        }
        #expect(pieces.value == CRC32C.checksum(bytes))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crc-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try CRC32C.ofFile(path, length: Int64(bytes.count)) == CRC32C.checksum(bytes))
        #expect(try CRC32C.ofFile(path, offset: 10, length: 100) == CRC32C.checksum(Array(bytes[10..<110])))
        #expect(throws: UploadError.self) { try CRC32C.ofFile(path, length: Int64(bytes.count) + 1) }
    }

    static func keyJSON(pem: String, extra: [String: Any] = [:]) throws -> Data {
        var object: [String: Any] = [
            "type": "service_account", "client_email": "pybak@test-project.iam.gserviceaccount.com", "private_key": pem,
            "private_key_id": "kid-1", "token_uri": "http://127.0.0.1:1/token",
        ]
        for (name, value) in extra { object[name] = value }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func jwtIsRS256SignedAndVerifiesWithThePublicKey() throws {
        let key = try ServiceAccountKey.parse(try Self.keyJSON(pem: try Self.fixture("rsa.pem")), origin: "sa.json")
        let signer = try RS256Signer(pem: key.privateKeyPEM, origin: key.origin)
        let jwt = try ServiceAccountJWT.make(key: key, audience: key.tokenURI, signer: signer, now: 1_700_000_000)
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let header = try #require(try JSONSerialization.jsonObject(with: Self.base64URLDecode(parts[0])) as? [String: Any])
        #expect(header["alg"] as? String == "RS256" && header["kid"] as? String == "kid-1")
        let claims = try #require(try JSONSerialization.jsonObject(with: Self.base64URLDecode(parts[1])) as? [String: Any])
        #expect(claims["iss"] as? String == "pybak@test-project.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/devstorage.read_write")
        #expect(claims["aud"] as? String == "http://127.0.0.1:1/token")
        #expect(claims["iat"] as? Int == 1_700_000_000 && claims["exp"] as? Int == 1_700_003_600)
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        let signature = Array(Self.base64URLDecode(parts[2]))
        #expect(try Self.verify(signature, input, publicPEM: try Self.fixture("rsa.pub.pem")))
        // A changed claim no longer verifies: the check can fail.
        #expect(!(try Self.verify(signature, input + [0x20], publicPEM: try Self.fixture("rsa.pub.pem"))))
    }

    @Test func malformedKeysNameTheFileAndField() throws {
        func message(_ data: Data) -> String {
            do {
                _ = try RS256Signer(pem: try ServiceAccountKey.parse(data, origin: "/keys/sa.json").privateKeyPEM, origin: "/keys/sa.json")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(Data("not json".utf8)).contains("/keys/sa.json: is not a JSON object"))
        var object = try #require(try JSONSerialization.jsonObject(with: try Self.keyJSON(pem: try Self.fixture("rsa.pem"))) as? [String: Any])
        object["client_email"] = nil
        #expect(message(try JSONSerialization.data(withJSONObject: object)).contains("/keys/sa.json: field client_email is missing"))
        #expect(message(try Self.keyJSON(pem: "secret")).contains("field private_key is not a PEM key"))
        #expect(message(try Self.keyJSON(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")).contains("field private_key cannot be read"))
        #expect(message(try Self.keyJSON(pem: try Self.fixture("ec.pem"))).contains("field private_key is not an RSA key"))
        #expect(message(try Self.keyJSON(pem: try Self.fixture("rsa.pem"), extra: ["type": "authorized_user"])).contains("not 'service_account'"))
        #expect(message(try Self.keyJSON(pem: try Self.fixture("rsa.pem"), extra: ["token_uri": 5])).contains("field token_uri must be a non-empty string"))
        #expect(message(try Self.keyJSON(pem: try Self.fixture("rsa.pem"))) == "no error")
    }

    @Test func multipartBodyFramesMetadataAndContent() {
        let body = GCSMultipartBody(metadata: Array(#"{"name":"a/b.gz"}"#.utf8), mediaType: "application/gzip", boundary: "XYZ")
        #expect(body.contentType == "multipart/related; boundary=XYZ")
        let framed = String(decoding: body.head + Array("CONTENT".utf8) + body.tail, as: UTF8.self)
        #expect(framed == "--XYZ\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"name\":\"a/b.gz\"}\r\n--XYZ\r\nContent-Type: application/gzip\r\n\r\nCONTENT\r\n--XYZ--\r\n")
        #expect(GCSMultipartBody.randomBoundary() != GCSMultipartBody.randomBoundary())
    }

    @Test func resumableRangeHeaderGivesThePersistedOffset() throws {
        func response(_ range: String?) -> HTTPResponseStub { HTTPResponseStub(range: range) }
        #expect(try GCSResumableUpload.persisted(response("bytes=0-262143").response, object: "o") == 262_144)
        #expect(try GCSResumableUpload.persisted(response(nil).response, object: "o") == 0)
        #expect(throws: UploadError.self) { try GCSResumableUpload.persisted(response("bytes=5-9").response, object: "o") }
    }

    @Test func objectNamesAreEncodedInURLs() throws {
        let pem = try Self.fixture("rsa.pem")
        let key = try ServiceAccountKey.parse(try Self.keyJSON(pem: pem), origin: "sa.json")
        let http = HTTPClient()
        let tokens = try GCSTokenSource(key: key, http: http)
        let client = GCSClient(target: GCSTarget(bucket: "b", endpoint: "http://e:1", credentialsFile: "sa.json"), tokens: tokens, http: http, retry: .none)
        #expect(client.uploadURL("multipart", name: "p/a b.gz") == "http://e:1/upload/storage/v1/b/b/o?uploadType=multipart&name=p%2Fa%20b.gz")
        #expect(client.objectURL(forName: "p/ü.gz") == "http://e:1/storage/v1/b/b/o/p%2F%C3%BC.gz")
        #expect(client.objectURL("p/x") == "gs://b/p/x")
    }

    static func base64URLDecode(_ text: String) -> Data {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base) ?? Data()
    }

    /// Verifies an RS256 signature with OpenSSL's EVP_DigestVerify and a PEM public key.
    static func verify(_ signature: [UInt8], _ input: [UInt8], publicPEM: String) throws -> Bool {
        let pem = Array(publicPEM.utf8)
        let key: OpaquePointer? = pem.withUnsafeBytes { raw in
            let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count))
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        let pkey = try #require(key)
        defer { EVP_PKEY_free(pkey) }
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, pkey) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, input, input.count) == 1
    }
}

/// A 308 answer carrying a `Range` header.
struct HTTPResponseStub {
    let range: String?
    var response: HTTPResponse { HTTPResponse(status: 308, headers: range.map { [(name: "range", value: $0)] } ?? [], body: []) }
}
