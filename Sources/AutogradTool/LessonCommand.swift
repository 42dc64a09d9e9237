import ArgumentParser
import Autograd

/// `autograd lesson`: runs PyTorch's autograd lesson in Swift, printing each
/// step's code and output, and differentiates its loss last with the
/// configured backend, saying which and where that choice came from.
struct LessonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson",
        abstract: "Run PyTorch's autograd lesson in Swift, step by step, ending with the configured backend."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration = try options.load()
        // A backend whose factory rejects the configuration stops here, with status 2.
        _ = try exitingOnBadConfiguration { () throws(ConfigurationError) in try configuration.strategy() }
        let steps = try Lesson.run(configuration: configuration)
        switch options.format {
        case .json:
            struct Report: Encodable {
                let backend: SettingReport<String>
                let seed: SettingReport<UInt64>
                let steps: [LessonStep]
            }
            try printJSON(Report(backend: SettingReport(configuration.backend), seed: SettingReport(configuration.seed), steps: steps))
        case .text:
            print("backend: \(configuration.backend.value) (from \(configuration.backend.source))")
            print("seed: \(configuration.seed.value) (from \(configuration.seed.source))")
            print()
            for (number, step) in steps.enumerated() {
                print("── \(number + 1). \(step.title) " + String(repeating: "─", count: max(3, 60 - step.title.count)))
                print(step.code.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
                if !step.output.isEmpty {
                    print()
                    print(step.output)
                }
                print()
            }
        }
    }
}
