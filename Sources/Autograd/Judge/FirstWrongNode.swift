import AutogradCore

/// Where a document's gradient first leaves its bounds, going back from the
/// output: the node whose own gradient (with respect to its output) is
/// within bounds, or unknown, while a gradient it passes back is not. Its
/// reverse rule is then the one that went wrong, with the document's
/// intermediate gradients as evidence.
///
/// ```swift
/// // tanh(x).sum(): the sum's gradient is right, tanh's input's is not
/// FirstWrongNode(document, verdicts: nodes, tensors: tensors).culprit(of: "x")   // ("t", "TanhBackward")
/// ```
struct FirstWrongNode {
    /// Whether each node's gradient in the document is within its bounds (absent where it has none).
    let passed: [String: Bool]
    /// The nodes that read each input or node, as tensors (a `where`'s condition is not read as one).
    let consumers: [String: [String]]
    /// The op of each node, as its `gradFn` names it.
    let operations: [String: String]
    let output: String

    init(_ document: GraphDocument, verdicts: [InputJudgement], tensors: [String: Tensor]) {
        passed = Dictionary(verdicts.map { ($0.name, $0.sources.allSatisfy(\.passed)) }, uniquingKeysWith: { a, _ in a })
        var consumers: [String: [String]] = [:]
        for node in document.nodes where tensors[node.name] != nil {
            for argument in node.arguments where tensors[argument] != nil { consumers[argument, default: []].append(node.name) }
        }
        self.consumers = consumers
        operations = tensors.compactMapValues { $0.gradFn?.name }
        output = document.output
    }

    /// The node whose reverse rule first gave a gradient beyond its bounds on
    /// the way back to `name` (an input or node whose own gradient is), and its op.
    func culprit(of name: String) -> (node: String, operation: String)? {
        var stack = [name]
        var seen: Set<String> = []
        while let current = stack.popLast() {
            for consumer in consumers[current] ?? [] where seen.insert(consumer).inserted {
                switch passed[consumer] {
                case false?: stack.append(consumer)   // already wrong there: the error came from further on
                case true?: return operations[consumer].map { (consumer, $0) }
                case nil where consumer == output: return operations[consumer].map { (consumer, $0) }   // seeded with 1
                case nil: stack.append(consumer)
                }
            }
        }
        return nil
    }
}
