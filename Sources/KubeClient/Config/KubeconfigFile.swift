/// The parts of a kubeconfig file the client reads (`clientcmd/api/v1` field names).
struct KubeconfigFile: Decodable {
    struct NamedCluster: Decodable {
        var name: String?
        var cluster: Cluster?
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct NamedUser: Decodable {
        var name: String?
        var user: User?
    }

    struct User: Decodable {
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var token: String?
        var tokenFile: String?
        var username: String?
        var exec: ExecConfig?
        var authProvider: AuthProvider?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, username, exec
            case authProvider = "auth-provider"
        }
    }

    /// A credential plugin (`client.authentication.k8s.io`).
    struct ExecConfig: Decodable {
        struct EnvVar: Decodable {
            var name: String?
            var value: String?
        }

        var command: String?
        var args: [String]?
        var env: [EnvVar]?
        var apiVersion: String?
        var installHint: String?
        var provideClusterInfo: Bool?
        var interactiveMode: String?
    }

    /// Present only to say that auth-provider plugins (removed from kubectl) are not supported.
    struct AuthProvider: Decodable {
        var name: String?
    }

    struct NamedContext: Decodable {
        var name: String?
        var context: Context?
    }

    struct Context: Decodable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}
