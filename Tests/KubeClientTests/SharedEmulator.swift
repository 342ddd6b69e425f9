import Foundation
import Testing
import KubeClient

/// One emulator shared by the tests that set no faults (each uses names of its own).
enum SharedEmulator {
    private static let started = Task { () throws -> (EmulatorProcess, KubeAPI) in
        let emulator = try EmulatorProcess()
        let api = try emulator.client()
        try await emulator.installWidgetCRD(api: api)
        return (emulator, api)
    }

    /// The shared emulator and a client for it, with the Widget CRD installed.
    static func get() async throws -> (EmulatorProcess, KubeAPI) {
        try await started.value
    }
}

/// A name no other test uses.
func unique(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Polls until `condition` holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Waits until `condition` holds, recording a test issue when it never does.
func waitUntil(
    _ seconds: Double = 5, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    if try await !eventually(seconds, condition) {
        Issue.record("condition not met within \(seconds) s", sourceLocation: sourceLocation)
    }
}
