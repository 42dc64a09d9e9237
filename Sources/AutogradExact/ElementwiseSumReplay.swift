import AutogradCore
import Dispatch

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

    /// One element-wise op: its value formula over a block of elements,
    /// written to `output` (uninitialised); the last argument is the count.
    enum Step {
        case unary(Operand, (UnsafePointer<Element>, UnsafeMutablePointer<Element>, Int) -> Void)
        case binary(Operand, Operand, (UnsafePointer<Element>, UnsafePointer<Element>, UnsafeMutablePointer<Element>, Int) -> Void)
    }

    /// The elements of one block: enough for the loops to run long, few
    /// enough that every operand's block stays in the cache.
    static let blockSize = 256

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
        // Generic, so that each built-in op below gets a loop of its own
        // with its formula inlined.
        func unary<Operation: ElementwiseOperation>(_ operation: Operation) -> Step {
            .unary(operands[0]) { x, output, count in
                for i in 0..<count { (output + i).initialize(to: operation.apply(x[i])) }
            }
        }
        func binary<Operation: BroadcastingElementwiseOperation>(_ operation: Operation) -> Step {
            .binary(operands[0], operands[1]) { x, y, output, count in
                for i in 0..<count { (output + i).initialize(to: operation.apply(x[i], y[i])) }
            }
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
        case let operation as any ElementwiseOperation: return unary(operation)
        case let operation as any BroadcastingElementwiseOperation where operands.count == 2: return binary(operation)
        default: return nil
        }
    }

    /// ∂loss/∂`leaf` element by element, exactly and rounded to the nearest
    /// `Double`; `nil` when an element is unknown (a value outgrew the words,
    /// or is not dyadic).
    ///
    /// `threads` parts of the elements, fixed in advance, run at once when
    /// there are enough blocks; each element's result is the same whatever
    /// the parts.
    func gradient(towards leaf: Tensor, threads: Int = 1) -> (exact: TensorValue<Rational>, rounded: TensorValue<Double>)? {
        let shape = leaf.shape
        guard let seeded = leaves.firstIndex(where: { $0 === leaf }) else {
            // A leaf the loss does not read, of any shape: zeros.
            return (.zeros(shape), .zeros(shape))
        }
        // Both written in place, straight into the tensors' storage.
        var rounded: TensorValue<Double>?
        let exact = try? TensorValue<Rational>(shape: shape) { exact in
            rounded = try TensorValue<Double>(shape: shape) { rounded in
                try replay(seeded: seeded, exact: exact, rounded: rounded, threads: threads)
            }
        }
        guard let exact, let rounded else { return nil }
        return (exact, rounded)
    }

    /// Thrown out of the tensors' initialisers when an element is unknown.
    private struct UnknownElement: Error {}

    /// Below this many blocks per thread the replay runs on the calling
    /// thread: waking another costs more than it saves.
    static let minimumBlocksPerThread = 8

    /// Replays every element with tangent 1 on leaf `seeded`, writing each
    /// partial to `exact` (uninitialised) and its rounding to `rounded`, in
    /// up to `threads` contiguous parts at once. Throws ``UnknownElement``,
    /// with `exact` left uninitialised, when a part met an unknown or a fault
    /// (each part records its own: a task-local recorder does not reach
    /// another thread).
    private func replay(seeded: Int, exact: UnsafeMutablePointer<Rational>, rounded: UnsafeMutablePointer<Double>, threads: Int) throws {
        let blockCount = (count + Self.blockSize - 1) / Self.blockSize
        let (count, parts) = (count, Swift.max(1, Swift.min(threads, blockCount / Self.minimumBlocksPerThread)))
        @Sendable func elements(ofPart part: Int) -> Range<Int> {
            let (quotient, remainder) = blockCount.quotientAndRemainder(dividingBy: parts)
            let first = part * quotient + Swift.min(part, remainder)
            let blocks = first..<(first + quotient + (part < remainder ? 1 : 0))
            return (blocks.lowerBound * Self.blockSize)..<Swift.min(blocks.upperBound * Self.blockSize, count)
        }
        // Per part: how many elements it wrote, and whether they all are.
        let outcomes = UnsafeMutableBufferPointer<(written: Int, complete: Bool)>.allocate(capacity: parts)
        defer { outcomes.deallocate() }
        let outputs = (exact: UncheckedSendable(exact), rounded: UncheckedSendable(rounded), outcomes: UncheckedSendable(outcomes))
        let replay = UncheckedSendable(self)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = elements(ofPart: part)
            let recorder = ExactFaultRecorder()
            let written = ExactFaultRecorder.$current.withValue(recorder) {
                replay.value.replay(seeded: seeded, range, exact: outputs.exact.value, rounded: outputs.rounded.value)
            }
            let complete = written == range.count && recorder.first == nil && !recorder.readUnknown
            outputs.outcomes.value[part] = (written, complete)
        }
        guard outcomes.allSatisfy(\.complete) else {
            for part in 0..<parts { (exact + elements(ofPart: part).lowerBound).deinitialize(count: outcomes[part].written) }
            throw UnknownElement()
        }
    }

    /// Replays the elements in `range`, block by block, writing as
    /// ``replay(seeded:exact:rounded:threads:)`` does; returns how many it
    /// wrote from the start of `range`: fewer when it met an unknown.
    private func replay(seeded: Int, _ range: Range<Int>, exact: UnsafeMutablePointer<Rational>, rounded: UnsafeMutablePointer<Double>) -> Int {
        let blockSize = Self.blockSize
        // One block of elements per leaf, then one per step.
        let blocks = UnsafeMutablePointer<Element>.allocate(capacity: (leaves.count + steps.count) * blockSize)
        defer { blocks.deallocate() }
        func block(_ operand: Operand) -> UnsafeMutablePointer<Element> {
            switch operand {
            case .leaf(let index): blocks + index * blockSize
            case .step(let index): blocks + (leaves.count + index) * blockSize
            }
        }
        let values = leaves.map(\.value)
        // A mean's 1/n: in words when n is a power of two, else in GMP.
        let inWords = !isMean || count.nonzeroBitCount == 1
        let wordScale: WordDyadic = isMean && inWords ? 1 / WordDyadic(integerLiteral: count) : 1
        for start in stride(from: range.lowerBound, to: range.upperBound, by: blockSize) {
            let length = Swift.min(blockSize, range.upperBound - start)
            for (index, value) in values.enumerated() {
                let tangent: WordDyadic = index == seeded ? 1 : .zero
                let target = block(.leaf(index))
                value.withUnsafeBufferPointer { source in
                    for i in 0..<length { (target + i).initialize(to: Element(WordDyadic(source[start + i]), tangent: tangent)) }
                }
            }
            for (index, step) in steps.enumerated() {
                switch step {
                case .unary(let x, let apply): apply(block(x), block(.step(index)), length)
                case .binary(let x, let y, let apply): apply(block(x), block(y), block(.step(index)), length)
                }
            }
            let partials = block(reduced)
            for i in 0..<length {
                guard let partial = (isMean ? partials[i].tangent * wordScale : partials[i].tangent).known else { return start + i - range.lowerBound }
                let element = start + i
                if inWords {
                    (exact + element).initialize(to: Rational(small: partial))
                    rounded[element] = partial.doubleValue ?? Rational(small: partial).doubleValue
                } else {
                    let value = Rational(small: partial) / Rational(count)
                    rounded[element] = value.doubleValue
                    (exact + element).initialize(to: value)
                }
            }
        }
        return range.count
    }
}

/// A value handed to the replay's other threads, which only read it or write
/// elements no other thread writes.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
