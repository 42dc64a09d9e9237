import ArgumentParser

/// The `autograd` command: PyTorch's autograd lesson in Swift, the three-way
/// check of gradients against exact arithmetic, the lesson's graph, and the
/// registered backends. Bad configuration exits with status 2.
@main
struct AutogradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograd",
        abstract: "Automatic differentiation in Swift: PyTorch's autograd lesson and gradient checks.",
        subcommands: [LessonCommand.self, CheckCommand.self, GraphCommand.self, BackendsCommand.self],
        defaultSubcommand: LessonCommand.self
    )
}
