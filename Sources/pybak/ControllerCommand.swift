import ArgumentParser

/// `pybak controller`: the Kubernetes operator and its tools.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "The BackupPolicy operator: reconciles each policy into a CronJob that runs `pybak worker`.",
        subcommands: [ControllerRunCommand.self, RenderCommand.self],
        defaultSubcommand: ControllerRunCommand.self
    )
}
