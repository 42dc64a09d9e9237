import ArgumentParser

/// The `autograd` command: PyTorch's autograd lesson in Swift, the three-way
/// check of gradients against exact arithmetic, the lesson's graph, and the
/// registered backends. Bad configuration exits with status 2.
@main
struct AutogradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograd",
        abstract: "Automatic differentiation in Swift: PyTorch's autograd lesson and gradient checks.",
        discussion: """
            Configuration, first source wins: flags, environment variables, a configuration \
            file (autograd.json or autograd.yaml in the working directory, or --config PATH), \
            the defaults.

              key                               flag                 environment variable               default
              autograd.backend                  --backend            AUTOGRAD_BACKEND                   reverse
              autograd.exact.precision          --precision          AUTOGRAD_EXACT_PRECISION           256
              autograd.exact.maximumPrecision   --maximum-precision  AUTOGRAD_EXACT_MAXIMUM_PRECISION   4096
              autograd.seed                     --seed               AUTOGRAD_SEED                      0
              autograd.check.ulps               --ulps               AUTOGRAD_CHECK_ULPS                4

            Bad configuration prints one line on standard error and exits with status 2.
            """,
        subcommands: [LessonCommand.self, CheckCommand.self, GraphCommand.self, BackendsCommand.self],
        defaultSubcommand: LessonCommand.self
    )
}
