import CLibPQ

/// Where a PostgreSQL catalog lives: a libpq URL or conninfo (TLS per its `sslmode`) and an
/// optional password kept apart from it, so that neither logs nor errors ever show the password.
public struct DatabaseTarget: Sendable, CustomStringConvertible {
    /// The URL or conninfo exactly as given (may hold a password: never print it).
    let conninfo: String
    /// A password that overrides one in the URL (from `--database-password-file`).
    let password: String?
    /// `user@host:port/dbname`, without the password: safe for logs and errors.
    public let display: String

    /// Checks the URL's syntax with libpq.
    /// - Parameters:
    ///   - url: `postgresql://user[:password]@host[:port]/dbname[?sslmode=...]` or `key=value` conninfo.
    ///   - password: a password that overrides one in the URL.
    /// - Throws: `CatalogError` saying what is wrong, without echoing the URL.
    public init(url: String, password: String? = nil) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            let reason = error.map { String(cString: $0).trimmedLine } ?? "out of memory"
            PQfreemem(error)
            throw CatalogError("the database URL is not valid (\(reason)); use postgresql://USER@HOST:PORT/DBNAME?sslmode=MODE")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        let host = values["host"] ?? values["hostaddr"] ?? "localhost"
        let port = values["port"].map { ":\($0)" } ?? ""
        let user = values["user"].map { "\($0)@" } ?? ""
        let database = values["dbname"] ?? values["user"] ?? "(default database)"
        self.conninfo = url
        self.password = password
        self.display = "postgresql://\(user)\(host)\(port)/\(database)"
    }

    public var description: String { display }
}

extension String {
    /// The text on one line: libpq's line breaks and tabs become spaces, the trailing ones go.
    var trimmedLine: String {
        var text = Substring(self)
        while let last = text.last, last.isNewline || last == " " || last == "\t" { text.removeLast() }
        var out = ""
        var lastWasSpace = false
        for character in text {
            let space = character.isNewline || character == "\t"
            if space {
                if !lastWasSpace { out.append(" ") }
            } else {
                out.append(character)
            }
            lastWasSpace = space || character == " "
        }
        return out
    }
}
