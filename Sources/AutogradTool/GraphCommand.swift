import ArgumentParser
import Autograd
import Foundation

/// `autograd graph`: the lesson's recorded graph in Graphviz DOT, like
/// torchviz; rendered to SVG with Graphviz's `dot` when `--output` names an
/// `.svg` file.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the lesson's recorded graph in Graphviz DOT, or render it to SVG."
    )

    @Option(help: "Seed of the lesson's random tensors.")
    var seed: UInt64 = 0

    @Option(help: "Write the graph to this file: DOT for .dot, SVG (through Graphviz's dot) otherwise.")
    var output: String?

    func run() throws {
        let example = Lesson.example(seed: seed)
        let dot = RecordedGraph(example.loss).dot(
            names: [ObjectIdentifier(example.predicted): "predicted", ObjectIdentifier(example.real): "real"],
            resultName: "loss"
        )
        guard let output else {
            print(dot)
            return
        }
        if output.hasSuffix(".dot") {
            try dot.write(toFile: output, atomically: true, encoding: .utf8)
            return
        }
        guard let graphviz = GraphCommand.executable(named: "dot") else {
            throw GraphError(
                "Graphviz's dot is not installed, so \(output) cannot be rendered: install it (apt-get install graphviz), or write DOT with --output FILE.dot"
            )
        }
        let process = Process()
        process.executableURL = graphviz
        process.arguments = ["-Tsvg", "-o", output]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(dot.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GraphError("dot failed with status \(process.terminationStatus) rendering \(output)")
        }
    }

    /// The first executable called `name` on the PATH.
    static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A failure to render the graph, printed as its message (exit status 1).
struct GraphError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
