import Foundation
import PyBakCore
import Synchronization
import Testing

@testable import Uploaders

/// The bounded pipe between a download thread and restore's reads.
@Suite struct StreamedObjectReaderTests {
    static func drain(_ reader: StreamedObjectReader, chunk: Int = 10_000) throws -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = try reader.read(into: buffer)
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test func everyByteArrivesInOrderThroughASmallPipe() throws {
        let data = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let reader = try StreamedObjectReader(capacity: 4096) { deliver, _ in
            var offset = 0
            while offset < data.count {
                let n = min(7_777, data.count - offset)
                let ok = data[offset..<offset + n].withUnsafeBytes { deliver($0) }
                if !ok { return }
                offset += n
            }
        }
        #expect(try Self.drain(reader) == data)
    }

    @Test func aFailureBeforeTheFirstByteIsThrownByTheInitialiser() {
        let error = #expect(throws: StoredObjectError.self) {
            _ = try StreamedObjectReader { _, _ in throw StoredObjectError.missing(location: "s3://b", path: "k") }
        }
        #expect(error == .missing(location: "s3://b", path: "k"))
    }

    @Test func aFailureMidwayIsThrownAfterTheBytesBeforeIt() throws {
        let reader = try StreamedObjectReader(capacity: 1024) { deliver, _ in
            _ = [UInt8](repeating: 7, count: 5000).withUnsafeBytes { deliver($0) }
            throw StoredObjectError.unreadable(location: "s3://b", path: "k", reason: "connection reset")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10_000, alignment: 1)
        defer { buffer.deallocate() }
        var total = 0
        let error = #expect(throws: StoredObjectError.self) {
            while true {
                let n = try reader.read(into: buffer)
                total += n
                if n == 0 { break }
            }
        }
        #expect(total == 5000)
        #expect(error == .unreadable(location: "s3://b", path: "k", reason: "connection reset"))
    }

    @Test func droppingTheReaderStopsTheDownload() throws {
        let stopped = Mutex(false)
        do {
            let reader = try StreamedObjectReader(capacity: 1024) { deliver, isStopped in
                let piece = [UInt8](repeating: 1, count: 512)
                while piece.withUnsafeBytes({ deliver($0) }) {}
                stopped.withLock { $0 = isStopped() }
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 1)
            defer { buffer.deallocate() }
            #expect(try reader.read(into: buffer) == 100)
        }
        // deinit waited for the download thread, which saw the reader gone.
        #expect(stopped.withLock { $0 })
    }
}
