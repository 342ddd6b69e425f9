import Foundation

/// The few S3 XML documents PyBak reads and writes.
enum S3XML {
    /// The text of the first `<name>` element, entities decoded.
    static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return unescape(String(text[start.upperBound..<end.lowerBound]))
    }

    /// The raw inner text of every `<name>` element, in order (entities not decoded).
    static func blocks(_ name: String, in text: String) -> [String] {
        var found: [String] = []
        var rest = text.startIndex..<text.endIndex
        while let start = text.range(of: "<\(name)>", range: rest), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) {
            found.append(String(text[start.upperBound..<end.lowerBound]))
            rest = end.upperBound..<text.endIndex
        }
        return found
    }

    /// One part a `ListParts` answer lists.
    struct ListedPart: Equatable {
        var number: Int
        var etag: String
        var size: Int64
    }

    /// The parts of one `ListParts` page, and the marker of the next page when the listing is truncated.
    /// - Returns: nil when a part lacks its number, ETag or size.
    static func listParts(_ text: String) -> (parts: [ListedPart], next: Int?)? {
        var parts: [ListedPart] = []
        for block in blocks("Part", in: text) {
            guard let number = element("PartNumber", in: block).flatMap({ Int($0) }), let etag = element("ETag", in: block),
                let size = element("Size", in: block).flatMap({ Int64($0) })
            else { return nil }
            parts.append(ListedPart(number: number, etag: unquote(etag), size: size))
        }
        let truncated = element("IsTruncated", in: text) == "true"
        return (parts, truncated ? element("NextPartNumberMarker", in: text).flatMap { Int($0) } : nil)
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
