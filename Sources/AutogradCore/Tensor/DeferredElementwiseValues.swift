import Synchronization

/// The values of a large tensor that a built-in element-wise op made and
/// nothing has read yet: the op and its operands, computed on first read.
///
/// The eager tape makes one pass over memory per op. For `x.pow(2).sum()`
/// the square writes a whole tensor that the sum then reads back; deferring
/// the square lets `sum()` and `mean()` compute each block of squares in the
/// cache and add it up at once (``sum()``): one pass, where writing the
/// squares and reading them back made two. Any
/// other reader (another op, `.value`, printing) gets the values the op would
/// have written, computed once and then kept.
///
/// `+` and `−` of two tensors of one shape are deferred too
/// (`DeferredBinaryValues`), and an op of one tensor on them reads them a
/// piece at a time (``withPieces(_:)``), so `(p − r).pow(2).sum()` never
/// writes `p − r` either: the sum reads `p` and `r`, and, when the graph
/// is recorded, computes the square's reverse rule in the same pass for the
/// backward pass to take (``DeferredInput``).
///
/// Only built-in ops whose block rule is their tensor rule
/// (``BlockRuleIsTensorRule``) are deferred, on tensors of at least
/// ``minimumElementCount`` elements, and only when the recorded graph does
/// not keep the output: the bits are those of the op run at once.
///
/// ```swift
/// let squares = (p - r).pow(2)   // deferred, and p − r: nothing written yet
/// let loss = squares.sum()       // one pass over p and r
/// squares.value                  // computed now, the same bits
/// ```
@usableFromInline
protocol DeferredElementwiseValues: AnyObject, Sendable {
    /// The values, computed on the first read.
    var values: TensorValue<Double> { get }
    /// The sum of the values in ``SummationOrder``, bit for bit `values.sum()`,
    /// without writing them out when they are not computed yet.
    func sum() -> Double
    /// How many deferred ops deep the values are: 1 for an op on values in
    /// memory, one more for each deferred operand under it.
    var depth: Int { get }
    /// Calls `body` with a reader of the values a piece at a time:
    /// `piece(start, count, scratch)` gives elements `start..<start + count`
    /// (`count` at most ``ElementwiseDeferral/pieceSize``), in memory when
    /// they are computed, else computed into `scratch` (of at least `count`
    /// elements). For ops that read a deferred operand (`(p − r).pow(2)`),
    /// so that `p − r` is never written out.
    func withPieces<Result>(_ body: (_ piece: ElementPieceReader) -> Result) -> Result
    /// ``sum()``, and, when the op's graph node keeps a deferred input
    /// (``DeferredInput``), that input's gradient for the uniform `seed` in
    /// the same pass where it can.
    func sumPrecomputingInputGradient(seed: Double) -> Double
}

extension DeferredElementwiseValues {
    @usableFromInline
    func sumPrecomputingInputGradient(seed: Double) -> Double { sum() }
}

/// Gives elements `start..<start + count` of some values: a pointer into
/// memory, or `scratch` once it holds them.
@usableFromInline
typealias ElementPieceReader = (_ start: Int, _ count: Int, _ scratch: UnsafeMutablePointer<Double>) -> UnsafePointer<Double>

/// What a deferred op reads: values in memory, or another deferred op's values.
@usableFromInline
enum DeferredOperand: Sendable {
    case values(TensorValue<Double>)
    case deferred(any DeferredElementwiseValues)

    /// The operand's values, computed now if they were deferred.
    @usableFromInline var values: TensorValue<Double> {
        switch self {
        case .values(let values): values
        case .deferred(let deferred): deferred.values
        }
    }

    /// How many deferred ops deep the operand is (0 in memory).
    var depth: Int {
        switch self {
        case .values: 0
        case .deferred(let deferred): deferred.depth
        }
    }

    /// See ``DeferredElementwiseValues/withPieces(_:)``.
    func withPieces<Result>(_ body: (_ piece: ElementPieceReader) -> Result) -> Result {
        switch self {
        case .values(let values):
            withExtendedLifetime(values) {
                let base = values.unsafeBaseAddress
                return body { start, _, _ in base + start }
            }
        case .deferred(let deferred):
            deferred.withPieces(body)
        }
    }
}

/// Deferral's entry point: whether an op's values may wait.
@usableFromInline
enum ElementwiseDeferral {
    /// The smallest tensor deferred: 8,192 elements (64 KiB), where a pass
    /// over memory starts to cost more than the deferral's one allocation.
    @usableFromInline static let minimumElementCount = 1 << 13

    /// The deepest deferral: an op of one tensor on a deferred op of two
    /// (`(p − r).pow(2)`). Deeper chains compute their operand, so that a
    /// read never nests more than one piece of scratch per level.
    static let maximumDepth = 2

    /// The most elements a piece reader is asked for at once
    /// (``DeferredElementwiseValues/withPieces(_:)``): pieces stay in the
    /// first-level cache.
    static let pieceSize = ElementwisePullback.pieceSize

    /// Calls `body(start, length, scratch)` for each piece of `count`
    /// elements in turn, with scratch for one piece.
    static func forEachPiece(count: Int, _ body: (Int, Int, UnsafeMutablePointer<Double>) -> Void) {
        withScratch(count: pieceSize) { scratch in
            for start in stride(from: 0, to: count, by: pieceSize) {
                body(start, Swift.min(pieceSize, count - start), scratch)
            }
        }
    }

    /// The deferred values of `operation` on `x`, or `nil` when they must be
    /// computed now: `x` is small or too deep, the graph keeps the output, or
    /// the op is not a built-in element-wise op of one tensor.
    /// A sum of the values may leave the input's gradient in `keptInput`,
    /// the operand as the op's graph node keeps it.
    @usableFromInline
    static func deferring(
        _ operation: some TensorOperation, on x: DeferredOperand, shape: Shape, outputIsKept: Bool,
        keptInput: DeferredInput?
    ) -> (any DeferredElementwiseValues)? {
        guard shape.elementCount >= minimumElementCount, !outputIsKept, x.depth < maximumDepth,
              let operation = operation as? any FusibleUnaryOperation & BlockRuleIsTensorRule else { return nil }
        return deferred(operation, x, shape: shape, keptInput: keptInput)
    }

    /// The deferred values of the op of two tensors `operation` on `x` and
    /// `y`, or `nil` when they must be computed now: the operands differ in
    /// shape or are small, the graph keeps the output, or the op is not a
    /// built-in element-wise op.
    @usableFromInline
    static func deferring(
        _ operation: some TensorOperation, on x: TensorValue<Double>, _ y: TensorValue<Double>, outputIsKept: Bool
    ) -> (any DeferredElementwiseValues)? {
        guard x.elementCount >= minimumElementCount, !outputIsKept, x.shape == y.shape,
              let operation = operation as? any FusibleBinaryOperation & BlockRuleIsTensorRule else { return nil }
        return deferred(operation, x, y)
    }

    /// The values of `operation` (opened from its existential) on `x`.
    private static func deferred(
        _ operation: some FusibleUnaryOperation, _ x: DeferredOperand, shape: Shape,
        keptInput: DeferredInput?
    ) -> any DeferredElementwiseValues {
        DeferredUnaryValues(operation, x, shape: shape, keptInput: keptInput)
    }

    /// The values of `operation` (opened from its existential) on `x` and `y`.
    private static func deferred(_ operation: some FusibleBinaryOperation, _ x: TensorValue<Double>, _ y: TensorValue<Double>)
        -> any DeferredElementwiseValues
    {
        DeferredBinaryValues(operation, x, y)
    }
}

/// ``DeferredElementwiseValues`` of one op of one tensor.
final class DeferredUnaryValues<Operation: FusibleUnaryOperation>: DeferredElementwiseValues {
    private enum State {
        case pending(operand: DeferredOperand)
        case computed(TensorValue<Double>)
    }

    private let operation: Operation
    private let shape: Shape
    private let state: Mutex<State>
    /// The operand as the op's graph node keeps it, where a sum leaves the
    /// input's gradient that it computes with the values.
    private let keptInput: DeferredInput?
    let depth: Int

    init(_ operation: Operation, _ operand: DeferredOperand, shape: Shape, keptInput: DeferredInput?) {
        self.operation = operation
        self.shape = shape
        self.keptInput = keptInput
        depth = operand.depth + 1
        state = Mutex(.pending(operand: operand))
    }

    var values: TensorValue<Double> {
        state.withLock { state in
            switch state {
            case .computed(let values):
                return values
            case .pending(let operand):
                let values = compute(on: operand)
                state = .computed(values)
                return values
            }
        }
    }

    /// The op's values on `operand`: in one call on values in memory, a
    /// piece at a time on a deferred operand's.
    private func compute(on operand: DeferredOperand) -> TensorValue<Double> {
        TensorValue<Double>(shape: shape) { output in
            if case .values(let x) = operand {
                return operation.apply(x.unsafeBaseAddress, into: output, count: x.elementCount)
            }
            operand.withPieces { piece in
                ElementwiseDeferral.forEachPiece(count: shape.elementCount) { start, length, scratch in
                    operation.apply(piece(start, length, scratch), into: output + start, count: length)
                }
            }
        }
    }

    func sum() -> Double {
        let operand: DeferredOperand
        switch state.withLock({ $0 }) {
        case .computed(let values): return values.sum()
        case .pending(let pending): operand = pending
        }
        // A built-in op with a one-pass rule adds each value as it computes
        // it; any other computes pieces into scratch, then adds them.
        let rule = operation as? any UniformSeedUnaryPullback
        return operand.withPieces { piece in
            withScratch(count: 2 * ElementwiseDeferral.pieceSize) { scratch in
                let valuesPiece = scratch + ElementwiseDeferral.pieceSize
                return SummationOrder.sumByPieces(
                    count: shape.elementCount, pieceSize: ElementwiseDeferral.pieceSize
                ) { start, length, block in
                    let x = piece(start, length, scratch)
                    if let rule {
                        rule.addValues(of: x, count: length, to: &block)
                    } else {
                        operation.apply(x, into: valuesPiece, count: length)
                        block.add(valuesPiece, count: length)
                    }
                }
            }
        }
    }

    /// On a pending op of two tensors that has a loop with this op
    /// (``FusedPairKernel``), the sum and the input's gradient for a nonzero
    /// `seed` in one pass over the two tensors, the gradient kept in
    /// ``DeferredInput``; otherwise ``sum()``.
    func sumPrecomputingInputGradient(seed: Double) -> Double {
        guard seed != 0, let keptInput, keptInput.wantsGradient,
              case .pending(.deferred(let operand)) = state.withLock({ $0 }),
              let (binary, x, y) = (operand as? DeferredBinaryOperands)?.pendingOperands,
              let kernel = FusedPairKernel.make(binary: binary, exit: operation)
        else { return sum() }
        let gradient = TensorValue<Double>.uninitialized(shape)
        let total = withExtendedLifetime((x, y)) {
            let (left, right, destination) = (x.unsafeBaseAddress, y.unsafeBaseAddress, gradient.unsafeMutableBaseAddress)
            return SummationOrder.sumOfBlocks(count: shape.elementCount) { start, length, block in
                kernel.run(seed: seed, x: left + start, y: right + start, sum: &block, into: destination + start, count: length)
            }
        }
        keptInput.offer(seed: seed, gradient: gradient)
        return total
    }

    func withPieces<Result>(_ body: (_ piece: ElementPieceReader) -> Result) -> Result {
        switch state.withLock({ $0 }) {
        case .computed(let values):
            return DeferredOperand.values(values).withPieces(body)
        case .pending(let operand):
            return operand.withPieces { operandPiece in
                withScratch(count: ElementwiseDeferral.pieceSize) { operandScratch in
                    withoutActuallyEscaping(operandPiece) { operandPiece in
                        body { start, count, scratch in
                            operation.apply(operandPiece(start, count, operandScratch), into: scratch, count: count)
                            return UnsafePointer(scratch)
                        }
                    }
                }
            }
        }
    }
}
