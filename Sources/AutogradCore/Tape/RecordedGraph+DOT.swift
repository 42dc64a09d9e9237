import Foundation

// Drawing a recorded graph with Graphviz, as torchviz does for PyTorch.

extension RecordedGraph {
    /// Short names for the graph's leaves (`leaf0`, `leaf1`...) and nodes
    /// (`op0`, `op1`..., in recording order), as ``dot(names:resultName:)`` uses them.
    ///
    /// ```swift
    /// let graph = RecordedGraph(loss)
    /// graph.identifiers[ObjectIdentifier(graph.nodes[0])]   // "op0"
    /// ```
    public var identifiers: [ObjectIdentifier: String] {
        var identifiers: [ObjectIdentifier: String] = [:]
        for (index, leaf) in leaves.enumerated() { identifiers[ObjectIdentifier(leaf)] = "leaf\(index)" }
        for (index, node) in nodes.enumerated() { identifiers[ObjectIdentifier(node)] = "op\(index)" }
        return identifiers
    }

    /// The graph in Graphviz's DOT language: leaves as blue boxes (named from
    /// `names` when given, with their shape, and whether they require
    /// gradients), each op as a grey box named like its `gradFn`, and the
    /// result in green; edges run from inputs to the ops that read them.
    ///
    /// ```swift
    /// print(RecordedGraph(loss).dot(names: [ObjectIdentifier(predicted): "predicted"], resultName: "loss"))
    /// // digraph { ... "SubBackward" ... }
    /// ```
    public func dot(names: [ObjectIdentifier: String] = [:], resultName: String = "result") -> String {
        var lines = [
            "digraph autograd {",
            "    node [shape=box, style=\"filled,rounded\", fontname=\"Helvetica\", fontsize=11];",
        ]
        /// A DOT string; `\n` in `text` stays DOT's line break.
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let identifiers = self.identifiers
        for leaf in leaves {
            let identifier = identifiers[ObjectIdentifier(leaf)]!
            let name = names[ObjectIdentifier(leaf)].map { $0 + "\\n" } ?? ""
            let tracking = leaf.requiresGrad ? "\\nrequiresGrad" : ""
            let color = leaf.requiresGrad ? "lightblue" : "white"
            lines.append("    \(identifier) [label=\(quoted(name + "\(leaf.shape)" + tracking)), fillcolor=\(color)];")
        }
        for (index, node) in nodes.enumerated() {
            let identifier = identifiers[ObjectIdentifier(node)]!
            let isResult = index == nodes.count - 1
            let label = isResult ? "\(node.name)\\n\(resultName) \(node.shape)" : node.name
            lines.append("    \(identifier) [label=\(quoted(label)), fillcolor=\(isResult ? "darkolivegreen1" : "lightgrey")];")
        }
        for node in nodes {
            for input in node.inputs {
                lines.append("    \(identifiers[input.identifier]!) -> \(identifiers[ObjectIdentifier(node)]!);")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
