import AutogradCore

/// The exact gradient of a loss that sums (or averages) an element-wise
/// function of its leaves, `sum(f(x, y, …))` such as the lesson's
/// `sum((p − r)²)`, element by element: for each element, `f`'s value
/// formula is evaluated over dual numbers of ``WordDyadic`` with tangent 1 on
/// one leaf, which gives ∂f/∂x there (forward mode, from the value formulas
/// alone), times the reduction's own ∂/∂fᵢ, 1 or 1/n. No tensor of values,
/// partials or gradients is made but the result.
///
/// It applies when every node but the last is an element-wise field op whose
/// operands have one shape (no broadcasting), and the last is a `sum` or
/// `mean` of all elements.
///
/// ```swift
/// let replay = ElementwiseSumReplay(RecordedGraph((p - r).pow(2).sum()))!
/// replay.gradient(towards: p)   // 2(p − r), exactly; nil if a word overflowed
/// ```
struct ElementwiseSumReplay {
    typealias Element = Dual<WordDyadic>

    /// Where a step reads an operand.
    enum Operand {
        /// The leaf at this position of ``leaves``.
        case leaf(Int)
        /// The output of the step at this position.
        case step(Int)
    }

    /// One element-wise op: its value formula over one element.
    enum Step {
        case unary(Operand, (Element) -> Element)
        case binary(Operand, Operand, (Element, Element) -> Element)
    }

    let leaves: [Tensor]
    let steps: [Step]
    /// What the reduction's input is: the last step's output or a leaf.
    let reduced: Operand
    /// The number of elements reduced.
    let count: Int
    /// Whether the reduction is a mean (∂/∂fᵢ = 1/n) rather than a sum (1).
    let isMean: Bool

    /// The replay of `graph`, or `nil` when it is not an element-wise
    /// function of its leaves, summed or averaged.
    init?(_ graph: RecordedGraph) {
        guard let root = graph.nodes.last, root.operation is Sum || root.operation is Mean,
              root.inputs.count == 1 else { return nil }
        let shape = root.inputs[0].shape
        guard graph.leaves.allSatisfy({ $0.shape == shape }) else { return nil }
        var positions: [ObjectIdentifier: Operand] = [:]
        for (index, leaf) in graph.leaves.enumerated() { positions[ObjectIdentifier(leaf)] = .leaf(index) }
        var steps: [Step] = []
        for node in graph.nodes.dropLast() {
            let operands = node.inputs.compactMap { positions[$0.identifier] }
            guard operands.count == node.inputs.count, node.inputs.allSatisfy({ $0.shape == shape }),
                  let step = Self.step(node.operation, operands) else { return nil }
            positions[ObjectIdentifier(node)] = .step(steps.count)
            steps.append(step)
        }
        guard let reduced = positions[root.inputs[0].identifier] else { return nil }
        self.leaves = graph.leaves
        self.steps = steps
        self.reduced = reduced
        self.count = shape.elementCount
        self.isMean = root.operation is Mean
    }

    /// The step of an element-wise field op, its built-in formulas
    /// specialised for ``Element``; `nil` for any other op.
    private static func step(_ operation: any TensorOperation, _ operands: [Operand]) -> Step? {
        let conformances = OperationConformances(of: operation)
        guard conformances.contains(.elementwise),
              conformances.isDisjoint(with: [.elementary, .branching, .selecting]) else { return nil }
        func unary<Operation: ElementwiseOperation>(_ operation: Operation) -> Step {
            .unary(operands[0]) { operation.apply($0) }
        }
        func binary<Operation: BroadcastingElementwiseOperation>(_ operation: Operation) -> Step {
            .binary(operands[0], operands[1]) { operation.apply($0, $1) }
        }
        switch operation {
        case let operation as Add: return binary(operation)
        case let operation as Subtract: return binary(operation)
        case let operation as Multiply: return binary(operation)
        case let operation as Divide: return binary(operation)
        case let operation as IntegerPower: return unary(operation)
        case let operation as AddScalar: return unary(operation)
        case let operation as SubtractScalar: return unary(operation)
        case let operation as SubtractFromScalar: return unary(operation)
        case let operation as MultiplyScalar: return unary(operation)
        case let operation as DivideByScalar: return unary(operation)
        case let operation as DivideScalarBy: return unary(operation)
        case let operation as Negate: return unary(operation)
        case let operation as any ElementwiseOperation: return .unary(operands[0]) { operation.apply($0) }
        case let operation as any BroadcastingElementwiseOperation where operands.count == 2:
            return .binary(operands[0], operands[1]) { operation.apply($0, $1) }
        default: return nil
        }
    }

    /// ∂loss/∂`leaf` element by element, exactly; `nil` when an element is
    /// unknown (a value outgrew the words, or is not dyadic).
    func gradient(towards leaf: Tensor) -> [Rational]? {
        guard let seeded = leaves.firstIndex(where: { $0 === leaf }) else {
            return Array(repeating: .zero, count: leaf.elementCount)
        }
        let scalars = leaves.map(\.value.scalars)
        var outputs = [Element](repeating: Element(constant: .zero), count: steps.count)
        var gradient: [Rational] = []
        gradient.reserveCapacity(count)
        // A mean's 1/n: in words when n is a power of two, else in GMP.
        let inWords = !isMean || count.nonzeroBitCount == 1
        let wordScale: WordDyadic = isMean && inWords ? 1 / WordDyadic(integerLiteral: count) : 1
        for element in 0..<count {
            func read(_ operand: Operand) -> Element {
                switch operand {
                case .leaf(let index):
                    Element(WordDyadic(scalars[index][element]), tangent: index == seeded ? 1 : .zero)
                case .step(let index): outputs[index]
                }
            }
            for (index, step) in steps.enumerated() {
                switch step {
                case .unary(let x, let apply): outputs[index] = apply(read(x))
                case .binary(let x, let y, let apply): outputs[index] = apply(read(x), read(y))
                }
            }
            guard let partial = (read(reduced).tangent * wordScale).known else { return nil }
            gradient.append(inWords ? Rational(small: partial) : Rational(small: partial) / Rational(count))
        }
        return gradient
    }
}

extension GraphInput {
    /// The shape of the tensor this input reads.
    fileprivate var shape: Shape {
        switch self {
        case .node(let node): node.shape
        case .leaf(let leaf): leaf.shape
        }
    }
}
