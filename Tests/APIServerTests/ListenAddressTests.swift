import Testing

@testable import APIServer

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080, true), (":9000", "0.0.0.0", 9000, false), ("[::1]:80", "::1", 80, true),
        ("localhost:1", "localhost", 1, true), ("10.0.0.5:443", "10.0.0.5", 443, false),
    ])
    func parses(text: String, host: String, port: Int, loopback: Bool) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.isLoopback == loopback)
    }

    @Test(arguments: ["8080", "host:", "host:99999", "host:x"])
    func refuses(text: String) {
        #expect(throws: APIConfigurationError.self) { try ListenAddress(parsing: text) }
    }
}
