import Foundation

/// Turns watch stream bytes into events: assembles lines, decodes each, turns `ERROR` into a `KubeError`.
///
/// Used only on the one thread that runs the transfer, hence `@unchecked Sendable`.
final class WatchDecoder<Object: Decodable & Sendable>: @unchecked Sendable {
    private var lines = LineAssembler()
    private let decoder = JSONDecoder()
    let endpoint: String
    /// The error that stopped decoding, if any.
    var failure: Error?

    init(endpoint: String) { self.endpoint = endpoint }

    /// Decodes the events completed by `bytes`.
    func feed(_ bytes: UnsafeRawBufferPointer) throws -> [WatchEvent<Object>] {
        do {
            return try lines.append(bytes).map(decode)
        } catch let error as LineAssembler.LineTooLong {
            throw KubeError(code: .decoding, endpoint: endpoint, detail: error.description)
        }
    }

    /// Decodes an unterminated last line, if any.
    func finish() throws -> [WatchEvent<Object>] {
        try lines.finish().map { [try decode($0)] } ?? []
    }

    private func decode(_ line: [UInt8]) throws -> WatchEvent<Object> {
        let decoded: WatchLine<Object>
        do {
            decoded = try decoder.decode(WatchLine<Object>.self, from: Data(line))
        } catch {
            let excerpt = String(decoding: line.prefix(200), as: UTF8.self)
            throw KubeError(code: .decoding, endpoint: endpoint, detail: "cannot decode a watch event as \(Object.self): \(error); line: \(excerpt)")
        }
        switch decoded {
        case .event(let event): return event
        case .error(let status): throw KubeError.fromWatchStatus(status, endpoint: endpoint)
        }
    }
}
