import ArgumentParser
import Autograd
import Foundation

/// The `autograd` command: PyTorch's autograd lesson in Swift, the three-way
/// check of gradients against exact arithmetic, the lesson's graph, and the
/// registered backends. Every error is one line on standard error starting
/// with `error: `; bad usage or configuration exits with status 2, a failure
/// while running (a gradient outside its bound, a file that cannot be written)
/// with status 1.
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
              autograd.threads                  --threads            AUTOGRAD_THREADS                   the cores

            Every error prints one line on standard error, starting with "error: ". Exit status: \
            0 success, 1 a failure while running (such as a gradient outside its bound), 2 bad \
            usage or configuration.
            """,
        subcommands: [LessonCommand.self, TrainCommand.self, CheckCommand.self, JudgeCommand.self, GraphCommand.self, BackendsCommand.self],
        defaultSubcommand: LessonCommand.self
    )

    /// The exit status of bad usage or configuration.
    static let usageStatus: Int32 = 2
    /// The exit status of a failure while running.
    static let failureStatus: Int32 = 1

    /// Parses the arguments and runs the command, reporting any error by the
    /// tool's one convention instead of swift-argument-parser's `Error:` and
    /// status 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: ExitCode(report(error)))
        }
    }

    /// Prints `error` (help to standard output; anything else as one
    /// `error: ` line on standard error) and returns the exit status.
    static func report(_ error: any Error) -> Int32 {
        // Already reported where it was thrown (bad configuration), or a verdict (check's failures).
        if let code = error as? ExitCode { return code.rawValue }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            return code.rawValue
        }
        let status: Int32, message: String
        switch error {
        case let error as ConfigurationError:
            (status, message) = (usageStatus, error.description)
        case _ where code == .validationFailure:
            // swift-argument-parser's usage errors: its message, and where help is.
            let help = fullMessage(for: error).firstMatch(of: /See '([^']+)' for more information/).map { " (see '\($0.1)')" }
            (status, message) = (usageStatus, lowercasingFirstWord(self.message(for: error)) + (help ?? ""))
        case let error as any CustomStringConvertible where !(type(of: error) is NSError.Type) && !(error is CocoaError):
            (status, message) = (failureStatus, error.description)
        default:
            (status, message) = (failureStatus, error.localizedDescription)
        }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return status
    }

    /// `Unknown option '--x'` as `unknown option '--x'`; an acronym (`JSON`) is kept.
    static func lowercasingFirstWord(_ text: String) -> String {
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isUppercase != true else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
