/// An element-wise operation of one tensor that a compiled plan can fuse
/// (``CompiledFunction``): its value and its reverse rule on a block of
/// `Double`s, which a plan runs on cache-sized pieces of a tensor instead of
/// whole tensors.
///
/// ``ElementwiseOperation`` and ``ElementwiseElementaryOperation`` conform
/// with defaults from `apply` and `derivative`, the same per-element formulas
/// as their tensor rules, so an op gives the same bits fused or not. An op
/// that replaces its tensor `value` or `vjp` by other formulas replaces these
/// too (``DivideByScalar`` divides the gradient by its constant).
///
/// ```swift
/// struct Cube: ElementwiseOperation { ... }   // fusible as it stands
/// let f = try CompiledFunction(tracingAt: [x]) { $0[0].applying(Cube()).sum() }
/// ```
public protocol FusibleUnaryOperation: TensorOperation {
    /// `output[i] = f(x[i])` for `i` in `0..<count`.
    func apply(_ x: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int)
    /// The reverse rule on a block: `result[i] = seed[i] · f′(x[i])`, given
    /// `output[i] = f(x[i])`, with strong zeros (a zero seed gives 0).
    func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    )
    /// Whether ``pullback(_:x:output:into:count:)`` copies the seed
    /// unchanged (`x + c`): a plan may then write the op's gradient straight
    /// where its input's goes and skip the copy. By default `false`.
    var passesGradientUnchanged: Bool { get }
}

extension FusibleUnaryOperation {
    public var passesGradientUnchanged: Bool { false }
}

/// An element-wise operation of two tensors of one shape that a compiled plan
/// can fuse: its value and the reverse rule for each operand on a block of
/// `Double`s. `+ − × ÷` conform; a custom ``BroadcastingElementwiseOperation``
/// conforms by giving its `pullback` (operands that broadcast are not fused:
/// the op then runs on whole tensors between fused regions).
///
/// ```swift
/// extension Hypot: FusibleBinaryOperation {
///     func pullback(_ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
///                   output: UnsafePointer<Double>, wrt operand: BinaryOperand,
///                   into result: UnsafeMutablePointer<Double>, count: Int) {
///         for i in 0..<count { result[i] = seed[i] * (operand == .left ? x[i] : y[i]) / output[i] }
///     }
/// }
/// ```
public protocol FusibleBinaryOperation: BroadcastingElementwiseOperation {
    /// `output[i] = apply(x[i], y[i])` for `i` in `0..<count`; by default
    /// the op's scalar `apply`.
    func apply(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int
    )
    /// The reverse rule for one operand on a block: `result[i] = seed[i] ·
    /// ∂output/∂operand` at element `i`, bit for bit the op's `vjp` when the
    /// operands have the output's shape.
    func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    )
    /// Whether the pullback for `operand` copies the seed unchanged (both
    /// operands of `+`, the left of `−`). By default `false`.
    func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool
}

extension FusibleBinaryOperation {
    public func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool { false }

    @inlinable
    public func apply(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { output[i] = apply(x[i], y[i]) }
    }
}

extension ElementwiseOperation {
    @inlinable
    public func apply(_ x: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { output[i] = apply(x[i]) }
    }

    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { result[i] = chainProduct(seed[i], derivative(at: x[i], output: output[i])) }
    }
}

extension ElementwiseElementaryOperation {
    @inlinable
    public func apply(_ x: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { output[i] = apply(x[i]) }
    }

    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { result[i] = chainProduct(seed[i], derivative(at: x[i], output: output[i])) }
    }
}

// The built-in ops whose tensor rules are not the defaults' formulas give the
// same formulas on blocks.

extension AddScalar {
    /// The gradient passes through unchanged.
    public var passesGradientUnchanged: Bool { true }

    /// The gradient passes through unchanged.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(from: seed, count: count)
    }
}

extension SubtractScalar {
    /// The gradient passes through unchanged.
    public var passesGradientUnchanged: Bool { true }

    /// The gradient passes through unchanged.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(from: seed, count: count)
    }
}

extension DivideByScalar {
    /// The gradient divided by the constant, as the tensor rule does.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { result[i] = seed[i] / constant }
    }
}

extension IntegerPower {
    /// `x·x` for squares, as the tensor rule computes them.
    @inlinable
    public func apply(_ x: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int) {
        if exponent == 2 {
            for i in 0..<count { output[i] = x[i] * x[i] }
        } else {
            for i in 0..<count { output[i] = Self.power(x[i], exponent) }
        }
    }

    /// `seed · (x + x)` for squares, as the tensor rule computes them.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        if exponent == 2 {
            for i in 0..<count { result[i] = chainProduct(seed[i], x[i] + x[i]) }
        } else {
            for i in 0..<count { result[i] = chainProduct(seed[i], derivative(at: x[i], output: output[i])) }
        }
    }
}

extension HyperbolicTangent {
    /// The vectorised kernel when it is linked (the same bits as the scalar one).
    @inlinable
    public func apply(_ x: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, count: Int) {
        if VectorKernels.hyperbolicTangent(UnsafeBufferPointer(start: x, count: count), into: output) { return }
        for i in 0..<count { output[i] = apply(x[i]) }
    }

    /// The vectorised `seed · tanh′(x)` when it is linked.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        if VectorKernels.hyperbolicTangentDerivative(UnsafeBufferPointer(start: x, count: count), times: seed, into: result) {
            return
        }
        for i in 0..<count { result[i] = chainProduct(seed[i], derivative(at: x[i], output: output[i])) }
    }
}

extension Add: FusibleBinaryOperation {
    /// Both operands receive the gradient unchanged.
    public func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool { true }

    /// Both operands receive the gradient unchanged.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(from: seed, count: count)
    }
}

extension Subtract: FusibleBinaryOperation {
    /// `x` receives the gradient unchanged.
    public func passesGradientUnchanged(wrt operand: BinaryOperand) -> Bool { operand == .left }

    /// `x` receives the gradient, `y` its negation.
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        if operand == .left {
            result.update(from: seed, count: count)
        } else {
            for i in 0..<count { result[i] = -seed[i] }
        }
    }
}

extension Multiply: FusibleBinaryOperation {
    /// `seed · y` for `x`, `seed · x` for `y` (strong zeros).
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        let other = operand == .left ? y : x
        for i in 0..<count { result[i] = chainProduct(seed[i], other[i]) }
    }
}

extension Divide: FusibleBinaryOperation {
    /// `seed / y` for `x`, `−(seed / y)·output` for `y` (strong zeros).
    @inlinable
    public func pullback(
        _ seed: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        if operand == .left {
            for i in 0..<count { result[i] = chainQuotient(seed[i], y[i]) }
        } else {
            for i in 0..<count { result[i] = -chainProduct(chainQuotient(seed[i], y[i]), output[i]) }
        }
    }
}

/// A built-in op whose block rules compute its tensor rules' formulas
/// (its value's and its reverse rule's), so that the eager tape may run
/// either (``ElementwisePullback``, `DeferredElementwiseValues`). A custom op
/// runs its tensor rule on the tape: its `vjp` may not be its block rule,
/// and the gradient checks judge the `vjp`.
protocol BlockRuleIsTensorRule: TensorOperation {}

extension IntegerPower: BlockRuleIsTensorRule {}
extension RealPower: BlockRuleIsTensorRule {}
extension Absolute: BlockRuleIsTensorRule {}
extension Relu: BlockRuleIsTensorRule {}
extension Clamp: BlockRuleIsTensorRule {}
extension Exp: BlockRuleIsTensorRule {}
extension Log: BlockRuleIsTensorRule {}
extension SquareRoot: BlockRuleIsTensorRule {}
extension Sine: BlockRuleIsTensorRule {}
extension Cosine: BlockRuleIsTensorRule {}
extension HyperbolicTangent: BlockRuleIsTensorRule {}
extension Sigmoid: BlockRuleIsTensorRule {}
extension Log1p: BlockRuleIsTensorRule {}
extension Expm1: BlockRuleIsTensorRule {}
extension Softplus: BlockRuleIsTensorRule {}
extension AddScalar: BlockRuleIsTensorRule {}
extension SubtractScalar: BlockRuleIsTensorRule {}
extension SubtractFromScalar: BlockRuleIsTensorRule {}
extension MultiplyScalar: BlockRuleIsTensorRule {}
extension DivideByScalar: BlockRuleIsTensorRule {}
extension DivideScalarBy: BlockRuleIsTensorRule {}
extension Negate: BlockRuleIsTensorRule {}
extension Add: BlockRuleIsTensorRule {}
extension Subtract: BlockRuleIsTensorRule {}
extension Multiply: BlockRuleIsTensorRule {}
extension Divide: BlockRuleIsTensorRule {}
