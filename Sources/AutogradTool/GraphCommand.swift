import ArgumentParser
import Autograd
import Foundation

/// `autograd graph`: the lesson's recorded graph in Graphviz DOT, like
/// torchviz, or as JSON nodes and edges with `--format json`; rendered to SVG
/// with Graphviz's `dot` when `--output` names a file other than `.dot`.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the lesson's recorded graph in Graphviz DOT, or render it to SVG."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Write the graph to this file: DOT for .dot, SVG (through Graphviz's dot) otherwise.")
    var output: String?

    func run() throws {
        let configuration = try options.load()
        let example = Lesson.example(seed: configuration.seed.value)
        let names = [ObjectIdentifier(example.predicted): "predicted", ObjectIdentifier(example.real): "real"]
        let graph = RecordedGraph(example.loss)
        let dot = graph.dot(names: names, resultName: "loss")
        guard let output else {
            switch options.format {
            case .text: print(dot)
            case .json: try printJSON(GraphReport(graph, names: names))
            }
            return
        }
        try GraphCommand.checkWritable(output)
        if output.hasSuffix(".dot") {
            do {
                try dot.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw GraphError("cannot write \(output): \(GraphCommand.reason(error))")
            }
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

    /// Throws a one-line error naming `path` and why it cannot be written
    /// (`cannot write /nonexistent/x.dot: no such directory /nonexistent`),
    /// before anything is rendered.
    static func checkWritable(_ path: String) throws(GraphError) {
        let files = FileManager.default
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        var isDirectory: ObjCBool = false
        let reason: String
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                reason = "it is a directory"
            } else if !files.isWritableFile(atPath: path) {
                reason = "permission denied"
            } else {
                return
            }
        } else if !files.fileExists(atPath: directory, isDirectory: &isDirectory) {
            reason = "no such directory \(directory)"
        } else if !isDirectory.boolValue {
            reason = "\(directory) is not a directory"
        } else if !files.isWritableFile(atPath: directory) {
            reason = "permission denied in \(directory)"
        } else {
            return
        }
        throw GraphError("cannot write \(path): \(reason)")
    }

    /// Why a write failed, in a few words: the system's reason
    /// (`no space left on device`), not Foundation's dump of the error.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))).lowercased() }
        return nsError.localizedDescription
    }

    /// The first executable called `name` on the PATH.
    static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A recorded graph as JSON: leaves and operations, each with an id, and the
/// edges from inputs to the operations that read them.
struct GraphReport: Encodable {
    struct Node: Encodable {
        let id: String
        /// `"leaf"` or `"operation"`.
        let kind: String
        /// A leaf's name when known; an operation's gradFn name (`"SubBackward"`).
        let label: String?
        let shape: [Int]
        let requiresGrad: Bool
    }
    struct Edge: Encodable { let from: String; let to: String }

    let nodes: [Node]
    let edges: [Edge]
    /// The id of the operation that made the result.
    let result: String?

    init(_ graph: RecordedGraph, names: [ObjectIdentifier: String]) {
        let ids = graph.identifiers
        nodes = graph.leaves.map { leaf in
            Node(id: ids[ObjectIdentifier(leaf)]!, kind: "leaf", label: names[ObjectIdentifier(leaf)],
                 shape: leaf.shape.dimensions, requiresGrad: leaf.requiresGrad)
        } + graph.nodes.map { node in
            Node(id: ids[ObjectIdentifier(node)]!, kind: "operation", label: node.name, shape: node.shape.dimensions, requiresGrad: true)
        }
        edges = graph.nodes.flatMap { node in
            node.inputs.map { Edge(from: ids[$0.identifier]!, to: ids[ObjectIdentifier(node)]!) }
        }
        result = graph.nodes.last.map { ids[ObjectIdentifier($0)]! }
    }
}

/// A failure to write or render the graph, printed as `error: ` and its
/// message (exit status 1).
struct GraphError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
