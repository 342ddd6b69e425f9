import Testing

@testable import PyBakCore

@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("**/*.csv", "a.csv", true), ("**/*.csv", "x/y/a.csv", true), ("**/*.csv", "a.csv.tmp", false),
        ("*.tmp", "deep/in/here/x.tmp", true), ("*.tmp", "x.tmpl", false),
        ("logs/*.log", "logs/a.log", true), ("logs/*.log", "logs/sub/a.log", false), ("logs/**", "logs/sub/a.log", true),
        ("data-?.bin", "data-1.bin", true), ("data-?.bin", "data-10.bin", false),
        ("[ab]*.txt", "b1.txt", true), ("[!ab]*.txt", "b1.txt", false), ("[a-c].txt", "c.txt", true),
        ("/top.txt", "top.txt", true),
    ])
    func matches(pattern: String, path: String, expected: Bool) throws {
        #expect(try GlobPattern(pattern).matches(path) == expected)
    }

    @Test func rejectsUnclosedClass() {
        #expect(throws: PyBakError.self) { try GlobPattern("[abc") }
    }

    @Test func filterCombinesIncludeAndExclude() throws {
        let filter = PathFilter(include: [try GlobPattern("**/*.csv")], exclude: [try GlobPattern("tmp/**")])
        #expect(filter.selects("a/b.csv"))
        #expect(!filter.selects("tmp/b.csv"))
        #expect(!filter.selects("a/b.txt"))
        #expect(PathFilter().selects("anything"))
    }
}
