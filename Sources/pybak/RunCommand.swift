import ArgumentParser
import BackupPipeline
import Catalog
import Foundation
import PyBakCore

/// `pybak run`: one pass now.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one backup pass now and print its report.",
        discussion: "Flags override the policy file (-f); PYBAK_* environment variables fill what neither gives."
    )

    @OptionGroup var options: PassOptions

    @Flag(name: .customLong("dry-run"), help: "List what would be done; change nothing.")
    var dryRun = false

    @Flag(name: .customLong("json"), help: "Print a machine-readable summary on stdout instead of the report.")
    var json = false

    func run() async throws {
        do {
            let settings = try options.settings(dryRun: dryRun)
            if dryRun {
                for line in try DryRun.plan(settings) { print(line) }
                return
            }
            let result = try await PassRunner(
                settings: settings, stderrLevel: try options.stderrLevel(), trigger: .manual, cancellation: SignalCancellation.install(),
                database: try options.database.target()
            ).run()
            try printOutcome(result)
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }

    private func printOutcome(_ result: PassResult) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else if let textPath = result.reportPaths.first, let text = try? String(contentsOfFile: textPath, encoding: .utf8) {
            print(text, terminator: "")
        } else {
            print("run \(result.runId): \(result.status.rawValue)\(result.error.map { ": \($0)" } ?? "")")
        }
    }
}

/// How a command shows an error it cannot recover from.
enum CommandErrors {
    static func report(_ error: PyBakError) {
        FileHandle.standardError.write(Data("pybak: error: \(error.message)\n".utf8))
    }

    /// Runs a command's body; a `PyBakError` or `CatalogError` is printed and becomes its exit code.
    static func exiting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PyBakError {
            report(error)
            throw ExitCode(error.exitCode)
        } catch let error as CatalogError {
            report(PyBakError(.catalog, error.message))
            throw ExitCode(ExitStatus.failed)
        }
    }

    /// A line of information on stderr (stdout stays machine-readable).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("pybak: \(text)\n".utf8))
    }
}

/// SIGINT/SIGTERM raise a cancellation flag: the pass finishes the files in flight and stops cleanly.
enum SignalCancellation {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() -> CancellationFlag {
        let flag = CancellationFlag()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if flag.isRaised { exit(ExitStatus.failed) }  // a second signal: stop now
                FileHandle.standardError.write(Data("pybak: stopping after the files in flight (signal again to stop now)\n".utf8))
                flag.raise()
            }
            source.resume()
            sources.append(source)
        }
        return flag
    }
}
