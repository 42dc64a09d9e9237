import Synchronization

/// The values of a large tensor that a built-in element-wise op made and
/// nothing has read yet: the op and its operand, computed on first read.
///
/// The eager tape makes one pass over memory per op. For `x.pow(2).sum()`
/// the square writes a whole tensor that the sum then reads back; deferring
/// the square lets `sum()` and `mean()` compute each block of squares in the
/// cache and add it up at once (``sum()``): one pass, where writing the
/// squares and reading them back made two. Any
/// other reader (another op, `.value`, printing) gets the values the op would
/// have written, computed once and then kept.
///
/// Only built-in ops whose block rule is their tensor rule
/// (``BlockRuleIsTensorRule``) are deferred, on tensors of at least
/// ``minimumElementCount`` elements, and only when the recorded graph does
/// not keep the output: the bits are those of the op run at once.
///
/// ```swift
/// let squares = (p - r).pow(2)   // deferred: nothing written yet
/// let loss = squares.sum()       // one pass over p − r
/// squares.value                  // computed now, the same bits
/// ```
@usableFromInline
protocol DeferredElementwiseValues: AnyObject, Sendable {
    /// The values, computed on the first read.
    var values: TensorValue<Double> { get }
    /// The sum of the values in ``SummationOrder``, bit for bit `values.sum()`,
    /// without writing them out when they are not computed yet.
    func sum() -> Double
}

/// Deferral's entry point: whether an op's values on `x` may wait.
@usableFromInline
enum ElementwiseDeferral {
    /// The smallest tensor deferred: 8,192 elements (64 KiB), where a pass
    /// over memory starts to cost more than the deferral's one allocation.
    static let minimumElementCount = 1 << 13

    /// The deferred values of `operation` on `x`, or `nil` when they must be
    /// computed now: `x` is small, the graph keeps the output, or the op is
    /// not a built-in element-wise op of one tensor.
    @usableFromInline
    static func deferring(_ operation: some TensorOperation, on x: TensorValue<Double>, outputIsKept: Bool)
        -> (any DeferredElementwiseValues)?
    {
        guard x.elementCount >= minimumElementCount, !outputIsKept,
              let operation = operation as? any FusibleUnaryOperation & BlockRuleIsTensorRule else { return nil }
        return deferred(operation, x)
    }

    /// The values of `operation` (opened from its existential) on `x`.
    private static func deferred(_ operation: some FusibleUnaryOperation, _ x: TensorValue<Double>)
        -> any DeferredElementwiseValues
    {
        DeferredUnaryValues(operation, x)
    }
}

/// ``DeferredElementwiseValues`` of one op of one tensor.
final class DeferredUnaryValues<Operation: FusibleUnaryOperation>: DeferredElementwiseValues {
    private enum State {
        case pending(operand: TensorValue<Double>)
        case computed(TensorValue<Double>)
    }

    private let operation: Operation
    private let state: Mutex<State>

    init(_ operation: Operation, _ operand: TensorValue<Double>) {
        self.operation = operation
        state = Mutex(.pending(operand: operand))
    }

    var values: TensorValue<Double> {
        state.withLock { state in
            switch state {
            case .computed(let values):
                return values
            case .pending(let operand):
                let values = TensorValue<Double>(shape: operand.shape) { output in
                    operation.apply(operand.unsafeBaseAddress, into: output, count: operand.elementCount)
                }
                state = .computed(values)
                return values
            }
        }
    }

    func sum() -> Double {
        let operand: TensorValue<Double>
        switch state.withLock({ $0 }) {
        case .computed(let values): return values.sum()
        case .pending(let pending): operand = pending
        }
        return withExtendedLifetime(operand) {
            let x = operand.unsafeBaseAddress
            // A built-in op with a one-pass rule adds each value as it computes
            // it; any other computes pieces into scratch, then adds them.
            if let rule = operation as? any UniformSeedUnaryPullback {
                return SummationOrder.sumOfBlocks(count: operand.elementCount) { start, count, block in
                    rule.addValues(of: x + start, count: count, to: &block)
                }
            }
            return SummationOrder.sumOfPieces(count: operand.elementCount) { start, count, piece in
                operation.apply(x + start, into: piece, count: count)
            }
        }
    }
}
