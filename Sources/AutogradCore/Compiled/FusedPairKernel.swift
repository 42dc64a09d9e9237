/// The op that a final sum reads and the built-in op of two tensors (`+`,
/// `−` or `×`) whose values only it reads, run as one pass over a block: the
/// pair's values computed as they are read, added into the sum, and the
/// first op's reverse rule, as ``UniformSeedUnaryPullback/applySumAndPullback(uniformSeed:x:sum:into:count:)``
/// gives them (so the bits are those of the two ops run one after the
/// other). The lesson's `sum((p − r)²)` is then one loop, as a hand-written
/// one would be.
///
/// The loop must know both ops when it is compiled, so that each element's
/// formulas inline: ``make(binary:exit:)`` picks it among the built-in pairs,
/// and returns `nil` for any other (the region then runs the ops in turn).
///
/// ```swift
/// let pair = FusedPairKernel.make(binary: Subtract(), exit: IntegerPower(2))!
/// pair.run(seed: 1, x: p, y: r, sum: &sum, into: gradient, count: 512)   // sum of (p − r)², 2(p − r)
/// ```
final class FusedPairKernel: @unchecked Sendable {
    /// The loop for one block: seed, the binary op's operands, the sum, the
    /// gradient of the binary op's values, the element count.
    typealias Loop = (Double, UnsafePointer<Double>, UnsafePointer<Double>, inout BlockAccumulator, UnsafeMutablePointer<Double>, Int) -> Void

    private let loop: Loop

    private init(_ loop: @escaping Loop) { self.loop = loop }

    /// Adds the exit op's values on a block of `x ∘ y` into `sum` and writes
    /// its reverse rule for the nonzero `seed` into `result`.
    func run(
        seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        loop(seed, x, y, &sum, result, count)
    }

    /// The kernel of a built-in pair, or `nil`.
    static func make(binary: any FusibleBinaryOperation, exit: any FusibleUnaryOperation) -> FusedPairKernel? {
        switch binary {
        case let binary as Subtract: pair(binary, exit)
        case let binary as Add: pair(binary, exit)
        case let binary as Multiply: pair(binary, exit)
        default: nil
        }
    }

    /// The kernel of `binary` (a concrete op: this function is specialised
    /// for each) feeding a built-in `exit`.
    private static func pair<Binary: BroadcastingElementwiseOperation>(
        _ binary: Binary, _ exit: any FusibleUnaryOperation
    ) -> FusedPairKernel? {
        func kernel<Exit: UniformSeedUnaryPullback>(_ exit: Exit) -> FusedPairKernel {
            FusedPairKernel { seed, x, y, sum, result, count in
                exit.applySumAndPullback(
                    uniformSeed: seed, x: ElementsOfBinaryOperation(operation: binary, x: x, y: y), sum: &sum,
                    into: result, count: count)
            }
        }
        // Each case names its type, so that the loop is compiled for it.
        return switch exit {
        case let exit as IntegerPower: kernel(exit)
        case let exit as RealPower: kernel(exit)
        case let exit as Absolute: kernel(exit)
        case let exit as Relu: kernel(exit)
        case let exit as Clamp: kernel(exit)
        case let exit as Exp: kernel(exit)
        case let exit as Log: kernel(exit)
        case let exit as SquareRoot: kernel(exit)
        case let exit as Sine: kernel(exit)
        case let exit as Cosine: kernel(exit)
        case let exit as Sigmoid: kernel(exit)
        case let exit as Log1p: kernel(exit)
        case let exit as Expm1: kernel(exit)
        case let exit as Softplus: kernel(exit)
        case let exit as Negate: kernel(exit)
        case let exit as AddScalar: kernel(exit)
        case let exit as SubtractScalar: kernel(exit)
        case let exit as SubtractFromScalar: kernel(exit)
        case let exit as MultiplyScalar: kernel(exit)
        case let exit as DivideByScalar: kernel(exit)
        case let exit as DivideScalarBy: kernel(exit)
        default: nil
        }
    }
}
