import ArgumentParser
import Autograd

/// `autograd lesson`: runs PyTorch's autograd lesson in Swift, printing each
/// step's code and output.
struct LessonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson",
        abstract: "Run PyTorch's autograd lesson in Swift, step by step."
    )

    @Option(help: "Seed of the random tensors.")
    var seed: UInt64 = 0

    func run() throws {
        let steps = try Lesson.run(seed: seed)
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
