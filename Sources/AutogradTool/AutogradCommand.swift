import ArgumentParser

/// The `autograd` command: PyTorch's autograd lesson in Swift, and (as the
/// strategies arrive) checks of gradients against exact arithmetic.
@main
struct AutogradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograd",
        abstract: "Automatic differentiation in Swift: PyTorch's autograd lesson and gradient checks.",
        subcommands: [LessonCommand.self, CheckCommand.self, GraphCommand.self],
        defaultSubcommand: LessonCommand.self
    )
}
