import ArgumentParser
import Autograd
import Foundation

/// `autograd check`: the three-way cross-check, as a table or as JSON; exits
/// non-zero when any gradient is outside its bound.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check forward and reverse gradients against exact arithmetic (errors in ULPs)."
    )

    /// How results are printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Seed of the random inputs.")
    var seed: UInt64 = 0

    @Option(help: "Elements per input (rounded up to a multiple of 8).")
    var size: Int = 24

    @Option(help: "Bits of precision of the big-float reference.")
    var precision: Int = 256

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
        guard precision >= 53 else { throw ValidationError("--precision must be at least 53 bits, got \(precision)") }
    }

    func run() throws {
        let results = try GradientCheck.run(seed: seed, size: size, precision: precision)
        switch format {
        case .json:
            struct Report: Encodable { let results: [GradientCheckResult]; let passed: Bool }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(Report(results: results, passed: results.allSatisfy(\.passed)))
            print(String(decoding: data, as: UTF8.self))
        case .text:
            print(CheckCommand.table(results))
        }
        if !results.allSatisfy(\.passed) { throw ExitCode.failure }
    }

    /// The results as an aligned table.
    static func table(_ results: [GradientCheckResult]) -> String {
        let header = ["function", "strategy", "max ulp", "mean ulp", "reference", "bound", "result"]
        let rows = results.map { result in
            [result.function, result.strategy, formatted(result.maxULP), formatted(result.meanULP),
             result.reference + (result.precision.map { " (\($0) bits)" } ?? ""), result.bound,
             result.passed ? "pass" : "FAIL"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        let failed = results.filter { !$0.passed }.count
        let summary = failed == 0 ? "all \(results.count) checks passed" : "\(failed) of \(results.count) checks FAILED"
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line) + ["", summary])
            .joined(separator: "\n")
    }

    /// An error in ULPs, to three significant digits.
    static func formatted(_ value: Double) -> String {
        value == 0 ? "0" : (value.isFinite ? String(format: "%.3g", value) : "inf")
    }
}
