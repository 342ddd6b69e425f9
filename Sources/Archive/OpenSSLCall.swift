import COpenSSL

/// The one place OpenSSL return codes become errors carrying OpenSSL's own message.
public enum OpenSSLCall {
    /// Throws `ArchiveError` when `rc` is not 1 (OpenSSL's success), naming the step.
    static func check(_ rc: Int32, _ step: String) throws {
        guard rc == 1 else { throw ArchiveError("OpenSSL failed to \(step): \(lastError())") }
    }

    /// The newest message on OpenSSL's error queue (the queue is emptied).
    public static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail from OpenSSL" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `count` bytes from OpenSSL's CSPRNG.
    static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try check(bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }, "draw random bytes")
        return bytes
    }
}
