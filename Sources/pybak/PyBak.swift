import ArgumentParser

/// The `pybak` command: one binary for every role.
@main
struct PyBak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pybak",
        abstract: "Compress, catalogue and move new files from a source folder to a destination, safely.",
        discussion: """
            Exit codes: 0 every file handled; 1 the pass could not run or stopped early; 2 bad usage or \
            configuration; 3 partial (some files failed, the rest were done); 4 another pass holds the \
            destination's lock or the policy's lock in the catalog (nothing done).
            """,
        version: PyBakVersion.current,
        subcommands: [
            RunCommand.self, DaemonCommand.self, ReportCommand.self, CatalogCommand.self, RestoreCommand.self, ListCommand.self,
            VerifyCommand.self, KeygenCommand.self, DecryptCommand.self, PruneCommand.self, WorkerCommand.self, ControllerCommand.self,
            ServeCommand.self,
        ]
    )
}

/// The version printed by `pybak --version`.
enum PyBakVersion {
    static let current = "0.1.0"
}
