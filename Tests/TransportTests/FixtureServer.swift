import Foundation

/// The Python fixture server (fixture_server.py), started once per test process on a loopback port.
/// It exits when this process ends (it watches its stdin).
enum FixtureServer {
    static let baseURL: String = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fixture_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = Pipe()
        do { try process.run() } catch { fatalError("cannot start the fixture server \(script): \(error)") }
        keepAlive = process
        var line = [UInt8]()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { fatalError("the fixture server \(script) exited before printing its port") }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        return "http://127.0.0.1:\(String(decoding: line, as: UTF8.self))"
    }()

    nonisolated(unsafe) private static var keepAlive: Process?
}
