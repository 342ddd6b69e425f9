import PyBakCore
import Testing

@Suite struct StringTrimmingTests {
    @Test(arguments: [
        ("  10s \t", nil, "10s"),
        ("\n 4242 \r\n", nil, "4242"),
        ("  a b  ", " ", "a b"),
        ("\tx\t", " ", "\tx\t"),
        ("--x--", "-", "x"),
        ("   ", nil, ""),
        ("", " ", ""),
    ] as [(String, String?, String)])
    func trimsOnlyTheEnds(text: String, set: String?, expected: String) {
        #expect(text.trimmed(set) == expected)
    }
}
