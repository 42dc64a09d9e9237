import ArgumentParser
import Autograd
import Foundation

/// `autograd check`: the configured backend's gradients (or every registered
/// backend's) against exact arithmetic, as a table or as JSON. Exits 1 when a
/// gradient is outside its bound, 2 on bad usage or configuration.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Judge gradients against the exact reference, within bounds from each function's condition."
    )

    @OptionGroup var options: ConfigurationOptions

    // `.unconditional`: a negative number is the value, so validation can say what is wrong with it.
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Elements per input, from 1 to \(GradientCheck.maximumSize) (rounded up to a multiple of 8; time and memory grow linearly with it).",
        valueName: "n"))
    var size: Int = 24

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The largest error accepted, in ULPs; tighter proven bounds are kept (autograd.check.ulps, AUTOGRAD_CHECK_ULPS; default 4).",
        valueName: "ulps"))
    var ulps: String?

    @Flag(help: "Check every registered backend, not only the configured one.")
    var allBackends = false

    func validate() throws {
        guard (1...GradientCheck.maximumSize).contains(size) else {
            throw ValidationError("--size must be a positive integer of at most \(GradientCheck.maximumSize), got \(size)")
        }
    }

    func run() throws {
        let configuration = try options.load(ulps.map { [.checkULPs: $0] } ?? [:])
        let registry = BackendRegistry.standard
        let strategies = try exitingOnBadConfiguration { () throws(ConfigurationError) in
            allBackends
                ? try registry.names.map { name throws(ConfigurationError) in try registry.strategy(named: name, configuration: configuration) }
                : [try configuration.strategy()]
        }
        let results = try GradientCheck.run(
            seed: configuration.seed.value, size: size, precision: configuration.exactPrecision.value,
            maximumPrecision: configuration.exactMaximumPrecision.value, maximumULPs: configuration.checkULPs.value, strategies: strategies
        )
        let passed = results.allSatisfy(\.passed)
        switch options.format {
        case .json:
            struct Report: Encodable {
                let backend: SettingReport<String>
                let seed: SettingReport<UInt64>
                let precision: SettingReport<Int>
                let maximumPrecision: SettingReport<Int>
                let ulps: SettingReport<Double>
                let results: [GradientCheckResult]
                let passed: Bool
                enum CodingKeys: String, CodingKey {
                    case backend, seed, precision, ulps, results, passed
                    case maximumPrecision = "maximum_precision"
                }
            }
            try printJSON(Report(
                backend: SettingReport(configuration.backend), seed: SettingReport(configuration.seed),
                precision: SettingReport(configuration.exactPrecision),
                maximumPrecision: SettingReport(configuration.exactMaximumPrecision), ulps: SettingReport(configuration.checkULPs),
                results: results, passed: passed
            ))
        case .text:
            let checked = allBackends ? "all backends (\(registry.names.joined(separator: ", ")))"
                : "backend \(configuration.backend.value) (from \(configuration.backend.source))"
            print("checking \(checked); seed \(configuration.seed.value), at most \(CheckCommand.formatted(configuration.checkULPs.value)) ulp, enclosures from \(configuration.exactPrecision.value) to \(configuration.exactMaximumPrecision.value) bits where not exact")
            print()
            print(CheckCommand.table(results))
        }
        if !passed { throw ExitCode.failure }
    }

    /// The results as an aligned table.
    static func table(_ results: [GradientCheckResult]) -> String {
        let header = ["function", "strategy", "max ulp", "mean ulp", "reference", "bound", "worst element", "result"]
        let rows = results.map { result in
            [result.function, result.strategy, formatted(result.maxULP), formatted(result.meanULP),
             result.reference + (result.precision.map { " (\($0) bits)" } ?? ""), result.bound,
             result.worst.map { describe($0, failed: !result.passed) } ?? "",
             result.passed ? "pass" : "FAIL"]
        }
        let failed = results.filter { !$0.passed }
        let summary = failed.isEmpty ? "all \(results.count) checks passed" : "\(failed.count) of \(results.count) checks FAILED"
        let findings = failed.flatMap { result in
            (result.ruleFindings + result.branchDivergences).map { "\(result.function) \(result.strategy): \($0)" }
        }
        return (alignedTable(header: header, rows: rows) + ["", summary] + findings)
            .joined(separator: "\n")
    }

    /// `input 0[3]: 2 ulp, bound 7.5 ulp`, with the true value and the op
    /// to blame when the check failed; absolute for an unresolved truth.
    static func describe(_ worst: WorstElement, failed: Bool) -> String {
        let place = "\(worst.inputName ?? "input \(worst.input)")[\(worst.element)]"
        let scale = worst.truth == 0 ? Double.leastNonzeroMagnitude : worst.truth.ulp
        var text = worst.errorULP.map { "\(place): \(formatted($0)) ulp, bound \(formatted(worst.bound / scale)) ulp" }
            ?? "\(place): \(String(format: "%.3g", worst.error)) off its enclosure, bound \(String(format: "%.3g", worst.bound))"
        if failed {
            text += "; got \(worst.computed), true \(worst.truth)" + (worst.operation.map { ", \($0)" } ?? "")
        }
        return text
    }

    /// An error in ULPs, to three significant digits.
    static func formatted(_ value: Double) -> String {
        value == 0 ? "0" : (value.isFinite ? String(format: "%.3g", value) : "inf")
    }
}
