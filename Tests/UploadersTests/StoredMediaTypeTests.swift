import Testing

@testable import Uploaders

@Suite struct StoredMediaTypeTests {
    @Test(arguments: [
        ("p/a.txt_20261127T000000Z.gz", "application/gzip"), ("p/pybak_20261127T000000Z.tar.gz", "application/gzip"),
        ("pybak_20261127T000000Z.zip", "application/zip"), ("pybak_20261127T000000Z.zip.enc", "application/octet-stream"),
        ("a.txt_20261127T000000Z.gz.enc", "application/octet-stream"),
    ])
    func theTypeFollowsTheStoredName(key: String, type: String) {
        #expect(StoredMediaType.of(key) == type)
    }
}
