import ArgumentParser
import Autograd
import Foundation

/// `autograd train`: the lesson continued. A 2-16-1 classifier learns two
/// half moons with Adam, its gradients from the configured backend; the loss
/// shows as it goes (a progress line on a terminal, plain lines otherwise),
/// and the last step's gradient of every weight and bias is checked against
/// the exact reference. Exits 1 when that check fails.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a small classifier on two half moons with the configured backend, then check its gradient exactly."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Updates of the parameters, 1 to 100000.", valueName: "n"))
    var steps: Int = 300

    @Option(parsing: .unconditional, help: ArgumentHelp("Adam's learning rate, above 0.", valueName: "rate"))
    var learningRate: Double = 0.05

    func validate() throws {
        guard (1...100_000).contains(steps) else { throw ValidationError("--steps must be from 1 to 100000, got \(steps)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--learning-rate must be a finite number above 0, got \(learningRate)")
        }
    }

    func run() throws {
        let configuration = try options.load()
        _ = try exitingOnBadConfiguration { () throws(ConfigurationError) in try configuration.strategy() }
        var training = MoonsTraining(configuration: configuration)
        training.steps = steps
        training.learningRate = learningRate
        let text = options.format == .text
        let onTerminal = text && isatty(STDOUT_FILENO) == 1
        if text {
            print("training a 2-\(training.hidden)-1 classifier on \(2 * training.pointsPerMoon) points (two half moons) with Adam, learning rate \(CheckCommand.formatted(learningRate))")
            print("gradients: backend \(configuration.backend.value) (from \(configuration.backend.source)); seed \(configuration.seed.value)")
            print()
        }
        let result = try training.run { progress in
            guard text else { return }
            let line = "step \(progress.step)/\(steps)  loss \(Self.formatted(progress.loss))  accuracy \(Self.percent(progress.accuracy))"
            if onTerminal {
                print("\r" + line, terminator: progress.step == steps ? "\n" : "")
                fflush(nil)   // every stream: `stdout` itself is not concurrency-safe to name
            } else if progress.step == 1 || progress.step % 25 == 0 || progress.step == steps {
                print(line)
            }
        }
        let passed = result.finalCheck.allSatisfy(\.passed)
        switch options.format {
        case .json:
            struct Report: Encodable {
                let backend: SettingReport<String>
                let seed: SettingReport<UInt64>
                let steps: Int
                let learningRate: Double
                let result: MoonsTraining.Result
                let passed: Bool
                enum CodingKeys: String, CodingKey {
                    case backend, seed, steps, result, passed
                    case learningRate = "learning_rate"
                }
            }
            try printJSON(Report(
                backend: SettingReport(configuration.backend), seed: SettingReport(configuration.seed),
                steps: steps, learningRate: learningRate, result: result, passed: passed
            ))
        case .text:
            print()
            print("after \(steps) steps: loss \(Self.formatted(result.loss)), accuracy \(Self.percent(result.accuracy))")
            print()
            print("the last step's gradient of every weight and bias, against the exact reference:")
            print(CheckCommand.table(result.finalCheck))
        }
        if !passed { throw ExitCode.failure }
    }

    static func formatted(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", 100 * fraction)
    }
}
