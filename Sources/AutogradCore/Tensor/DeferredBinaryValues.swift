import Synchronization

/// ``DeferredElementwiseValues`` of a built-in op of two tensors of one
/// shape (`p − r`): read a piece at a time by the deferred op of one tensor
/// that reads it (`(p − r).pow(2)`), whose sum and reverse rule then read
/// `p` and `r` and never a tensor of differences.
final class DeferredBinaryValues<Operation: FusibleBinaryOperation>: DeferredElementwiseValues, DeferredBinaryOperands {
    private enum State {
        case pending(x: TensorValue<Double>, y: TensorValue<Double>)
        case computed(TensorValue<Double>)
    }

    private let operation: Operation
    private let state: Mutex<State>
    var depth: Int { 1 }

    init(_ operation: Operation, _ x: TensorValue<Double>, _ y: TensorValue<Double>) {
        self.operation = operation
        state = Mutex(.pending(x: x, y: y))
    }

    var values: TensorValue<Double> {
        state.withLock { state in
            switch state {
            case .computed(let values):
                return values
            case .pending(let x, let y):
                let values = TensorValue<Double>(shape: x.shape) { output in
                    operation.apply(x.unsafeBaseAddress, y.unsafeBaseAddress, into: output, count: x.elementCount)
                }
                state = .computed(values)
                return values
            }
        }
    }

    func sum() -> Double {
        switch state.withLock({ $0 }) {
        case .computed(let values):
            return values.sum()
        case .pending(let x, let y):
            return withExtendedLifetime((x, y)) {
                SummationOrder.sumOfPieces(count: x.elementCount) { start, count, piece in
                    operation.apply(x.unsafeBaseAddress + start, y.unsafeBaseAddress + start, into: piece, count: count)
                }
            }
        }
    }

    var pendingOperands: (operation: any FusibleBinaryOperation, x: TensorValue<Double>, y: TensorValue<Double>)? {
        if case .pending(let x, let y) = state.withLock({ $0 }) { (operation, x, y) } else { nil }
    }

    func withPieces<Result>(_ body: (_ piece: ElementPieceReader) -> Result) -> Result {
        switch state.withLock({ $0 }) {
        case .computed(let values):
            return DeferredOperand.values(values).withPieces(body)
        case .pending(let x, let y):
            return withExtendedLifetime((x, y)) {
                let (left, right) = (x.unsafeBaseAddress, y.unsafeBaseAddress)
                return body { start, count, scratch in
                    operation.apply(left + start, right + start, into: scratch, count: count)
                    return UnsafePointer(scratch)
                }
            }
        }
    }
}

/// The op and operands of deferred values of two tensors, while not computed.
protocol DeferredBinaryOperands {
    /// The op and its operands, or `nil` once the values are computed.
    var pendingOperands: (operation: any FusibleBinaryOperation, x: TensorValue<Double>, y: TensorValue<Double>)? { get }
}
