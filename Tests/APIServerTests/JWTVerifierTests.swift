import Foundation
import Logging
import Synchronization
import Testing

@testable import APIServer

/// Serves a discovery document and a JWKS from memory, counting fetches.
final class MemoryIssuer: HTTPGetter {
    let documents: Mutex<[String: String]>
    let fetches = Mutex<[String]>([])

    init(jwks: String, issuer: String = JWTFixtures.issuer, jwksURI: String = "https://issuer.test/jwks") {
        documents = Mutex([
            "https://issuer.test/.well-known/openid-configuration": #"{"issuer": "\#(issuer)", "jwks_uri": "\#(jwksURI)"}"#,
            "https://issuer.test/jwks": jwks,
        ])
    }

    func get(_ url: String) async throws -> HTTPGetResponse {
        fetches.withLock { $0.append(url) }
        guard let text = documents.withLock({ $0[url] }) else { return HTTPGetResponse(status: 404, body: []) }
        return HTTPGetResponse(status: 200, body: Array(text.utf8))
    }

    var jwksFetches: Int { fetches.withLock { $0.filter { $0.hasSuffix("/jwks") }.count } }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    let now: Mutex<Double>
    init(_ start: Double) { now = Mutex(start) }
    func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    var read: @Sendable () -> Double { { self.now.withLock { $0 } } }
}

@Suite struct JWTVerifierTests {
    let clock = ManualClock(JWTFixtures.issuedAt + 10)

    func verifier(_ issuer: MemoryIssuer) -> JWTVerifier {
        let keys = OIDCKeyCache(issuer: JWTFixtures.issuer, getter: issuer, logger: Logger(label: "t"), clock: clock.read)
        return JWTVerifier(issuer: JWTFixtures.issuer, audience: JWTFixtures.audience, keys: keys, clock: clock.read)
    }

    func rejection(_ token: String, _ issuer: MemoryIssuer = MemoryIssuer(jwks: JWTFixtures.jwks)) async -> String? {
        do {
            _ = try await verifier(issuer).authenticate(token: token)
            return nil
        } catch {
            guard case .invalidToken(let reason) = error else { return "unexpected \(error)" }
            return reason
        }
    }

    @Test func acceptsRS256AndES256TokensWithTheirScopes() async throws {
        let verifier = self.verifier(MemoryIssuer(jwks: JWTFixtures.jwks))
        let rs = try await verifier.authenticate(token: JWTFixtures.validRS256)
        #expect(rs == Principal(subject: "alice", scopes: ["pybak.read", "pybak.trigger"]))
        let es = try await verifier.authenticate(token: JWTFixtures.validES256)
        #expect(es.scopes == ["pybak.read"])  // `scp` array, `aud` array containing ours
        let narrow = try await verifier.authenticate(token: JWTFixtures.readScopeOnly)
        #expect(narrow.scopes == ["pybak.read"])
    }

    @Test(arguments: [
        (JWTFixtures.wrongAudience, "aud"), (JWTFixtures.wrongIssuer, "issued by"), (JWTFixtures.expired, "expired"),
        (JWTFixtures.notYetValid, "not valid before"), (JWTFixtures.algNone, "algorithm none"), (JWTFixtures.hs256WithPublicKey, "algorithm HS256"),
        (JWTFixtures.unknownKid, "kid 'rsa-2'"), (JWTFixtures.tamperedPayload, "signature"), (JWTFixtures.noExp, "no exp"),
        ("a.b", "three"), ("!!.e30.e30", "base64url"), ("", "three"),
    ])
    func rejects(token: String, reasonContains: String) async {
        let reason = await rejection(token)
        #expect(reason?.contains(reasonContains) == true, "got \(reason ?? "accepted")")
    }

    @Test func toleratesSmallClockSkewOnly() async throws {
        let verifier = self.verifier(MemoryIssuer(jwks: JWTFixtures.jwks))
        _ = try await verifier.authenticate(token: JWTFixtures.expiredWithinLeeway)
        clock.advance(60)
        await #expect(throws: AuthError.self) { try await verifier.authenticate(token: JWTFixtures.expiredWithinLeeway) }
    }

    @Test func anUnknownKidRefetchesTheKeysAtMostOncePerMinute() async throws {
        let issuer = MemoryIssuer(jwks: JWTFixtures.jwks)
        let verifier = self.verifier(issuer)
        _ = try await verifier.authenticate(token: JWTFixtures.validRS256)
        #expect(issuer.jwksFetches == 1)
        // Within the minute: unknown kids are refused from the cache, without new fetches.
        for _ in 0..<5 { #expect(await rejectionFor(verifier, JWTFixtures.unknownKid) != nil) }
        #expect(issuer.jwksFetches == 1)
        // The issuer rotates in the new key; a minute later one unknown kid triggers one refetch, and it verifies.
        issuer.documents.withLock { $0["https://issuer.test/jwks"] = JWTFixtures.rotatedJWKS }
        clock.advance(61)
        let rotated = try await verifier.authenticate(token: JWTFixtures.unknownKid)
        #expect(rotated.subject == "alice")
        #expect(issuer.jwksFetches == 2)
    }

    @Test func discoveryMustNameTheSameIssuer() async {
        let issuer = MemoryIssuer(jwks: JWTFixtures.jwks, issuer: "https://other.test")
        do {
            _ = try await verifier(issuer).authenticate(token: JWTFixtures.validRS256)
            Issue.record("accepted")
        } catch {
            guard case .keysUnavailable(let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains("names the issuer"))
        }
    }

    @Test func anUnreachableIssuerIsAskedAgainOnlyEveryFewSeconds() async throws {
        let issuer = MemoryIssuer(jwks: JWTFixtures.jwks)
        let saved = issuer.documents.withLock { documents in defer { documents = [:] }; return documents }
        let verifier = verifier(issuer)
        #expect(await verifier.probe()?.contains("HTTP 404") == true)
        for _ in 0..<3 {
            await #expect(throws: AuthError.self) { try await verifier.authenticate(token: JWTFixtures.validRS256) }
        }
        #expect(issuer.fetches.withLock { $0.count } == 1)
        issuer.documents.withLock { $0 = saved }
        clock.advance(6)
        #expect(try await verifier.authenticate(token: JWTFixtures.validRS256).subject == "alice")
        #expect(issuer.fetches.withLock { $0.count } == 3)
    }

    @Test func loginEndpointsComeFromDiscovery() async {
        let issuer = MemoryIssuer(jwks: JWTFixtures.jwks)
        #expect(await verifier(issuer).loginSettings()?.endpoints == nil)
        issuer.documents.withLock {
            $0["https://issuer.test/.well-known/openid-configuration"] = #"""
                {"issuer": "\#(JWTFixtures.issuer)", "jwks_uri": "https://issuer.test/jwks", "authorization_endpoint": "https://issuer.test/auth",
                 "token_endpoint": "https://issuer.test/token"}
                """#
        }
        let settings = await verifier(issuer).loginSettings()
        #expect(settings?.endpoints == LoginEndpoints(authorization: "https://issuer.test/auth", token: "https://issuer.test/token"))
        #expect(settings?.audience == verifier(issuer).audience)
    }

    @Test func aPlainHTTPJWKSURIOffLoopbackIsRefused() async {
        let issuer = MemoryIssuer(jwks: JWTFixtures.jwks, jwksURI: "http://keys.example.com/jwks")
        do {
            _ = try await verifier(issuer).authenticate(token: JWTFixtures.validRS256)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("must be https"))
        }
    }

    @Test func joseSignaturesConvertToDER() {
        let raw = [UInt8](repeating: 0x80, count: 32) + [UInt8](repeating: 0x01, count: 32)
        let der = VerificationKey.derSignature(joseSignature: raw)
        // SEQUENCE { INTEGER 00 80.. (33 bytes), INTEGER 01.. (32 bytes) }
        #expect(der?.prefix(4) == [0x30, 0x45, 0x02, 0x21])
        #expect(VerificationKey.derSignature(joseSignature: [UInt8](repeating: 1, count: 63)) == nil)
    }

    @Test func issuerURLsMustBeHTTPSOffLoopback() {
        #expect(IssuerURL.isAcceptable("https://login.example.com/realms/x"))
        #expect(IssuerURL.isAcceptable("http://127.0.0.1:9000"))
        #expect(IssuerURL.isAcceptable("http://[::1]:9000"))
        #expect(!IssuerURL.isAcceptable("http://login.example.com"))
        #expect(!IssuerURL.isAcceptable("ftp://127.0.0.1"))
    }

    func rejectionFor(_ verifier: JWTVerifier, _ token: String) async -> String? {
        do {
            _ = try await verifier.authenticate(token: token)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
