import Foundation

/// The few S3 XML documents PyBak reads and writes.
enum S3XML {
    /// The text of the first `<name>` element, entities decoded.
    static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return unescape(String(text[start.upperBound..<end.lowerBound]))
    }

    /// The `CompleteMultipartUpload` body listing each part's number and ETag.
    static func completeMultipartUpload(etags: [String]) -> String {
        var body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            body += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\"\(etag)\"</ETag></Part>"
        }
        return body + "</CompleteMultipartUpload>"
    }

    /// An ETag without its quotes.
    static func unquote(_ etag: String) -> String {
        var text = etag
        if text.hasPrefix("W/") { text.removeFirst(2) }
        return text.trimmingCharacters(in: ["\""])
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#34;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
