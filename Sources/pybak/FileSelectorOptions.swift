import ArgumentParser

/// `--path`, `--run` and `--prefix`: which catalogued files `ls` and `restore` work on.
struct FileSelectorOptions: ParsableArguments {
    @Option(name: .customLong("path"), help: "One file: its path relative to the source folder, or its name (every path with that name).")
    var path: String?

    @Option(name: .customLong("run"), help: "The files a run catalogued (`pybak report --last` shows run ids).")
    var runId: Int64?

    @Option(name: .customLong("prefix"), help: "The files under this folder (relative to the source folder).")
    var prefix: String?
}
