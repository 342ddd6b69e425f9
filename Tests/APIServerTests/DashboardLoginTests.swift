import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import APIServer

/// An authenticator whose issuer names sign-in endpoints.
struct LoginAuthenticator: BearerAuthenticator {
    let issuer = "https://issuer.test"
    let endpoints: LoginEndpoints?

    func authenticate(token: String) async throws(AuthError) -> Principal { throw .invalidToken("not used") }
    func loginSettings() async -> (audience: String, endpoints: LoginEndpoints?)? { ("pybak-api", endpoints) }
}

@Suite struct DashboardLoginTests {
    @Test func theCSPAdmitsOnlyTheTokenEndpointsOrigin() {
        #expect(DashboardPage.contentSecurityPolicy(tokenEndpoint: nil).contains("connect-src 'self'; "))
        #expect(DashboardPage.contentSecurityPolicy(tokenEndpoint: "https://login.example.com/realms/ops/protocol/openid-connect/token")
            .contains("connect-src 'self' https://login.example.com; "))
        #expect(DashboardPage.contentSecurityPolicy(tokenEndpoint: "http://127.0.0.1:9400/oauth2/token").contains("connect-src 'self' http://127.0.0.1:9400; "))
        #expect(DashboardPage.contentSecurityPolicy(tokenEndpoint: "javascript:alert(1)").contains("connect-src 'self'; "))
    }

    @Test func configSaysHowToSignIn() async throws {
        let endpoints = LoginEndpoints(authorization: "https://issuer.test/auth", token: "https://issuer.test/token")
        try await TestServer(authenticator: LoginAuthenticator(endpoints: endpoints), configure: { $0.dashboardClientId = "dash" }).test { client in
            try await client.execute(uri: "/dashboard/config", method: .get) { response in
                #expect(response.status == .ok)
                let oidc = try #require(response.json["oidc"] as? [String: Any])
                #expect(response.json["auth"] as? Bool == true)
                #expect(oidc["clientId"] as? String == "dash" && oidc["audience"] as? String == "pybak-api")
                #expect(oidc["authorizationEndpoint"] as? String == "https://issuer.test/auth" && oidc["tokenEndpoint"] as? String == "https://issuer.test/token")
                #expect(oidc["scope"] as? String == "openid pybak.read pybak.trigger")
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy]?.contains("connect-src 'self' https://issuer.test;") == true)
            }
        }
        try await TestServer(authenticator: LoginAuthenticator(endpoints: nil), configure: { $0.dashboardClientId = "dash" }).test { client in
            try await client.execute(uri: "/dashboard/config", method: .get) { response in
                #expect(response.json["oidc"] == nil && (response.json["problem"] as? String)?.contains("cannot be reached") == true)
            }
        }
        try await TestServer().test { client in
            try await client.execute(uri: "/dashboard/config", method: .get) { #expect($0.json["auth"] as? Bool == false) }
        }
    }
}
