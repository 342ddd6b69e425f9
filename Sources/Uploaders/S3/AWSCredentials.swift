/// An AWS access key pair, with a session token for temporary credentials.
public struct AWSCredentials: Sendable, Equatable {
    /// `AKIA...` / `ASIA...`.
    public var accessKeyId: String
    /// The secret key; never logged.
    public var secretAccessKey: String
    /// The STS session token of temporary credentials.
    public var sessionToken: String?
    /// Where the credentials came from (for messages): `environment`, `/root/.aws/credentials [default]`, a folder.
    public var source: String

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, source: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }
}
