extension String {
    /// The text without the leading and trailing characters of `set`.
    /// - Parameter set: the characters to drop; nil drops whitespace and line breaks (`Character.isWhitespace`).
    /// - Returns: the trimmed text (empty when nothing else is left).
    public func trimmed(_ set: String? = nil) -> String {
        let drop: (Character) -> Bool = set.map { set in { set.contains($0) } } ?? { $0.isWhitespace }
        var slice = Substring(self)
        while let first = slice.first, drop(first) { slice.removeFirst() }
        while let last = slice.last, drop(last) { slice.removeLast() }
        return String(slice)
    }
}
