import Catalog
import Dispatch
import Synchronization

/// Runs the API's catalog reads off the async runtime, on a few connections.
///
/// `Catalog` implementations are used from one thread at a time and block, so each connection
/// lives on its own serial queue; requests are spread over them round-robin. A connection is
/// opened on first use, and opened again after a failure, so a catalog that is down at start
/// (or goes away) shows up in `/readyz` instead of stopping the server.
public final class CatalogPool: Sendable {
    /// Opens one connection (already migrated or read-only; the pool never migrates).
    public typealias Opener = @Sendable () throws -> any Catalog

    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    /// Creates a pool.
    /// - Parameters:
    ///   - connections: how many connections at most (reads run in parallel up to this).
    ///   - open: opens one connection.
    public init(connections: Int = 4, open: @escaping Opener) {
        slots = (0..<max(1, connections)).map { Slot(index: $0, open: open) }
    }

    /// Runs `body` with a connection on that connection's queue.
    /// - Throws: what `body` or opening the connection throws.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any Catalog) throws -> T) async throws -> T {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let slot = slots[(index % slots.count + slots.count) % slots.count]
        return try await slot.run(body)
    }

    /// One connection and the queue that owns it.
    final class Slot: @unchecked Sendable {
        // `catalog` is touched only on `queue`.
        private var catalog: (any Catalog)?
        private let open: Opener
        private let queue: DispatchQueue

        init(index: Int, open: @escaping Opener) {
            self.open = open
            queue = DispatchQueue(label: "pybak.api.catalog.\(index)")
        }

        func run<T: Sendable>(_ body: @escaping @Sendable (any Catalog) throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try self.withCatalog(body) })
                }
            }
        }

        private func withCatalog<T>(_ body: (any Catalog) throws -> T) throws -> T {
            let catalog = try self.catalog ?? open()
            self.catalog = catalog
            do {
                return try body(catalog)
            } catch {
                // Reopen next time: the connection may be what failed.
                self.catalog = nil
                throw error
            }
        }
    }
}
