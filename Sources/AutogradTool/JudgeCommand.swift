import ArgumentParser
import Autograd
import Foundation

/// `autograd judge FILE...`: the gradients in graph documents (PyTorch's,
/// exported by `Exporters/pytorch`) scored against the exact reference,
/// beside the configured strategies'. Exits 1 when an element is beyond its
/// bound, 2 when a file cannot be read or judged.
struct JudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Score the gradients in graph documents (such as PyTorch's) against the exact reference.",
        discussion: """
            Each FILE is a graph document of the interchange format (version \(GraphDocument.currentVersion)): a graph of \
            built-in ops, its inputs' exact values, and gradients computed elsewhere. Per input and per source, the report \
            gives the elements, how many are correctly rounded, the median, 99th percentile and largest error in ULPs, and \
            the elements beyond the bound from the function's condition, with the op to look at: the node where the \
            document's gradients first leave their bounds when it gives its nodes' gradients (the PyTorch exporter \
            does), else the op whose derivative's roundings weigh most there. Exit status: 0 when every element is \
            within its bound, 1 when one is not, 2 when a file cannot be read or judged.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: ArgumentHelp("Graph documents (JSON) to judge.", valueName: "file"))
    var files: [String]

    @Flag(help: "Also judge every registered backend's gradient, not only the configured one's when --backend (or the configuration) names one.")
    var allBackends = false

    func run() throws {
        let configuration = try options.load()
        let registry = BackendRegistry.standard
        // A strategy joins the document's gradients when asked for: by flag,
        // environment or file, or by --all-backends.
        let strategies = try exitingOnBadConfiguration { () throws(ConfigurationError) in
            if allBackends { return try registry.names.map { name throws(ConfigurationError) in try registry.strategy(named: name, configuration: configuration) } }
            return configuration.backend.source.kind == "default" ? [] : [try configuration.strategy()]
        }
        let reference = ExactMode(
            precision: configuration.exactPrecision.value, maximumPrecision: configuration.exactMaximumPrecision.value,
            threads: configuration.threads.value
        )
        var outcomes: [FileOutcome] = []
        for file in files {
            do {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw GraphDocumentError(path: "$", expected: "a readable file", found: "none at \(file)")
                }
                let document = try GraphDocument(json: data)
                // A document without gradients has nothing to score but a strategy's: the configured one.
                let judged = strategies.isEmpty && !document.inputs.contains { $0.gradient != nil }
                    ? [try exitingOnBadConfiguration { () throws(ConfigurationError) in try configuration.strategy() }] : strategies
                let report = try GradientJudge.judge(document, reference: reference, strategies: judged)
                outcomes.append(FileOutcome(file: file, report: report, error: nil))
            } catch {
                outcomes.append(FileOutcome(file: file, report: nil, error: "\(error)"))
            }
        }
        let passed = outcomes.allSatisfy { $0.report?.passed ?? true }
        let readable = outcomes.allSatisfy { $0.error == nil }
        switch options.format {
        case .json:
            struct Report: Encodable { let files: [FileOutcome]; let passed: Bool }
            try printJSON(Report(files: outcomes, passed: passed && readable))
        case .text:
            print(outcomes.map(Self.text).joined(separator: "\n\n"))
        }
        for outcome in outcomes where outcome.error != nil {
            FileHandle.standardError.write(Data("error: \(outcome.file): \(outcome.error!)\n".utf8))
        }
        if !readable { throw ExitCode(AutogradCommand.usageStatus) }
        if !passed { throw ExitCode.failure }
    }

    /// One file's report, or why it has none.
    struct FileOutcome: Encodable {
        let file: String
        let report: JudgeReport?
        let error: String?
    }

    /// A file's verdicts as text: a table per input, then the elements beyond their bounds.
    static func text(_ outcome: FileOutcome) -> String {
        guard let report = outcome.report else { return "\(outcome.file): cannot be judged: \(outcome.error ?? "")" }
        var lines = ["\(outcome.file): \(report.dtype), reference \(report.reference)"]
        let header = ["input", "source", "elements", "0 ulp", "median ulp", "p99 ulp", "max ulp", "beyond bound"]
        var rows: [[String]] = []
        for input in report.inputs {
            let place = "\(input.name) \(input.shape)"
            if input.sources.isEmpty { rows.append([place, "(no gradient)", "", "", "", "", "", ""]) }
            for source in input.sources {
                rows.append([
                    place, source.source + (source.dtype == report.dtype ? "" : " (\(source.dtype))"), "\(source.elements)",
                    "\(source.correctlyRounded)" + (source.unresolved > 0 ? " (\(source.unresolved) unresolved)" : ""),
                    CheckCommand.formatted(source.medianULP), CheckCommand.formatted(source.p99ULP), CheckCommand.formatted(source.maxULP),
                    source.passed ? "0" : "\(source.beyondBoundCount) FAIL",
                ])
            }
        }
        lines += [""] + alignedTable(header: header, rows: rows)
        if !report.nodes.isEmpty {
            let failing = report.nodes.filter { !$0.sources.allSatisfy(\.passed) }
            lines += ["", "intermediate gradients: \(report.nodes.count - failing.count) of \(report.nodes.count) within their bounds"
                + (failing.isEmpty ? "" : "; beyond: " + failing.map { node in
                    "\(node.name) (\(node.sources[0].beyondBoundCount) of \(node.sources[0].elements), max \(CheckCommand.formatted(node.sources[0].maxULP)) ulp)"
                }.joined(separator: ", "))]
        }
        for input in report.inputs {
            for source in input.sources where !source.passed {
                lines += ["", "\(input.name), \(source.source): \(source.beyondBoundCount) element(s) beyond the bound" +
                    (source.beyondBoundCount > source.beyondBound.count ? " (the \(source.beyondBound.count) worst)" : "")]
                if let node = source.firstWrongNode, let operation = source.beyondBound.first?.operation {
                    lines.append("  first wrong at node \(node) (\(operation)): the gradient it receives is within its bounds, the one it passes back is not")
                }
                for element in source.beyondBound {
                    let index = element.index.map(String.init).joined(separator: ", ")
                    let error = element.errorULP.map { "\(CheckCommand.formatted($0)) ulp, bound \(CheckCommand.formatted(element.boundULP)) ulp" }
                        ?? "off its enclosure, bound \(String(format: "%.3g", element.boundULP))"
                    lines.append("  \(input.name)[\(index)] = \(element.input): got \(element.computed), true \(element.truth), \(error)"
                        + (element.operation.map { "; \($0)" } ?? ""))
                }
            }
        }
        if !report.branchDivergences.isEmpty { lines += [""] + report.branchDivergences }
        lines += ["", report.passed ? "every element within its bound" : "FAILED: elements beyond their bounds"]
        return lines.joined(separator: "\n")
    }
}
