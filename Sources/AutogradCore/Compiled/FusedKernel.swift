/// A fused region member's op behind one class reference: a run calls its
/// block rules through the class's table of methods, with no existential op
/// copied, retained or released per piece (the region keeps the kernels
/// alive and hands them out unretained).
///
/// ```swift
/// let kernel = FusedKernel.make(.unary(IntegerPower(2)))
/// kernel.apply(x, nil, into: squares, count: 512)
/// ```
class FusedKernel: @unchecked Sendable {
    /// The kernel of an op of one tensor or two.
    static func make(_ kernel: FusedRegion.Member.Kernel) -> FusedKernel {
        func unary<Operation: FusibleUnaryOperation>(_ operation: Operation) -> FusedKernel { UnaryKernel(operation) }
        func uniformUnary<Operation: UniformSeedUnaryPullback>(_ operation: Operation) -> FusedKernel {
            UniformSeedUnaryKernel(operation)
        }
        func binary<Operation: FusibleBinaryOperation>(_ operation: Operation) -> FusedKernel { BinaryKernel(operation) }
        func uniformBinary<Operation: UniformSeedBinaryPullback>(_ operation: Operation) -> FusedKernel {
            UniformSeedBinaryKernel(operation)
        }
        switch kernel {
        case .unary(let operation):
            if let uniform = operation as? any UniformSeedUnaryPullback { return uniformUnary(uniform) }
            return unary(operation)
        case .binary(let operation):
            if let uniform = operation as? any UniformSeedBinaryPullback { return uniformBinary(uniform) }
            return binary(operation)
        }
    }

    /// The op's values on a block; `y` is the second operand of a binary op.
    func apply(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>?, into output: UnsafeMutablePointer<Double>, count: Int) {
        preconditionFailure("every kernel overrides apply")
    }

    /// The op's reverse rule for `operand` on a block (the op's block rule).
    func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>?,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        preconditionFailure("every kernel overrides pullback")
    }

    /// The reverse rule for a seed of one value, if the op has one
    /// (``UniformSeedUnaryPullback``); `false`, having written nothing, if not.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>?,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) -> Bool {
        false
    }

    /// Whether the reverse rule for `operand` copies the seed unchanged.
    func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool { false }

    /// Whether the kernel has ``applySumAndPullback(uniformSeed:x:sum:into:count:)``
    /// (a built-in op of one tensor).
    var appliesSumAndPullbackInOnePass: Bool { false }

    /// For the op that a final sum reads, and no other op: its values added
    /// into `sum` and its reverse rule for a nonzero seed, in one pass
    /// (``UniformSeedUnaryPullback/applySumAndPullback(uniformSeed:x:sum:into:count:)``).
    func applySumAndPullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        preconditionFailure("only kernels with appliesSumAndPullbackInOnePass override applySumAndPullback")
    }
}

/// The kernel of an op of one tensor.
private class UnaryKernel<Operation: FusibleUnaryOperation>: FusedKernel, @unchecked Sendable {
    let operation: Operation

    init(_ operation: Operation) { self.operation = operation }

    override func apply(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>?, into output: UnsafeMutablePointer<Double>, count: Int
    ) {
        operation.apply(x, into: output, count: count)
    }

    override func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>?,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        operation.pullback(seed, x: x, output: output, into: result, count: count)
    }

    override func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool { operation.passesGradientUnchanged }
}

/// The kernel of a built-in op of one tensor with a rule for a seed of one value.
private final class UniformSeedUnaryKernel<Operation: UniformSeedUnaryPullback>: UnaryKernel<Operation>, @unchecked Sendable {
    override func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>?,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) -> Bool {
        operation.pullback(uniformSeed: seed, x: x, output: output, into: result, count: count)
        return true
    }

    override var appliesSumAndPullbackInOnePass: Bool { true }

    override func applySumAndPullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        operation.applySumAndPullback(uniformSeed: seed, x: ElementsInMemory(x), sum: &sum, into: result, count: count)
    }
}

/// The kernel of an op of two tensors of one shape.
private class BinaryKernel<Operation: FusibleBinaryOperation>: FusedKernel, @unchecked Sendable {
    let operation: Operation

    init(_ operation: Operation) { self.operation = operation }

    override func apply(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>?, into output: UnsafeMutablePointer<Double>, count: Int
    ) {
        operation.apply(x, y!, into: output, count: count)
    }

    override func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>?,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        operation.pullback(seed, x: x, y: y!, output: output, wrt: operand, into: result, count: count)
    }

    override func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool {
        operation.passesGradientUnchanged(wrt: operand)
    }
}

/// The kernel of a built-in op of two tensors with a rule for a seed of one value.
private final class UniformSeedBinaryKernel<Operation: UniformSeedBinaryPullback>: BinaryKernel<Operation>, @unchecked Sendable {
    override func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>?,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) -> Bool {
        operation.pullback(uniformSeed: seed, x: x, y: y!, output: output, wrt: operand, into: result, count: count)
        return true
    }
}
