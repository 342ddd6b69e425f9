import PyBakCore

extension JSONValue {
    /// The member `key` of an object; nil for other values.
    func member(_ key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value at a path of object keys.
    func at(_ path: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?.member(key) }
        return current
    }

    /// The text of a string value.
    var text: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The members of an object value.
    var members: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}
