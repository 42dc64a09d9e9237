/// A built-in element-wise op's block rule for a seed that is one value in
/// every element, the gradient of a final `sum()` or `mean()`: the bits of
/// its block rule on a piece filled with that value, without reading the
/// piece and, for a nonzero seed, without the strong-zero test of each
/// product (`chainProduct(s, p)` is `s · p` whenever `s ≠ 0`).
///
/// Only built-in ops conform: a custom op's block rule is its own, and the
/// compiled plan and the tape run it as written.
protocol UniformSeedUnaryPullback: FusibleUnaryOperation {
    /// `result[i] = seed · f′(x[i])` for `i` in `0..<count`, as the block rule,
    /// each element from the same element of `x` and `output` in one loop:
    /// `result` may be either of them (the eager tape writes in place).
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    )

    /// For the op whose values a final sum reads, and no other op: its
    /// values on a block added into `sum`, and its reverse rule for a
    /// nonzero `seed` into `result`, in one pass where three would read the
    /// block. The bits of the block rule, `sum.add` and
    /// ``pullback(uniformSeed:x:output:into:count:)`` in turn. The operand's
    /// elements are read from memory or computed as they are read
    /// (``SumOperandElements``).
    func applySumAndPullback<Elements: SumOperandElements>(
        uniformSeed seed: Double, x: Elements, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    )

    /// Its values on a block added into `sum` as they are computed: the bits
    /// of the block rule and ``BlockAccumulator/add(_:count:)`` in turn, in
    /// one pass (a deferred op's `sum()`, see `DeferredElementwiseValues`).
    func addValues(of x: UnsafePointer<Double>, count: Int, to sum: inout BlockAccumulator)
}

/// Where the op that a final sum reads finds its operand's elements on a
/// block: in memory (``ElementsInMemory``), or computed as they are read by
/// the op of two tensors whose values only it reads (``ElementsOfBinaryOperation``),
/// so that the two ops and the sum are one pass.
protocol SumOperandElements {
    /// Element `i` of the block.
    subscript(i: Int) -> Double { get }
}

/// A block's elements in memory.
struct ElementsInMemory: SumOperandElements {
    let base: UnsafePointer<Double>

    init(_ base: UnsafePointer<Double>) { self.base = base }

    @inline(__always) subscript(i: Int) -> Double { base[i] }
}

/// The values of a built-in op of two tensors of one shape on a block,
/// computed as they are read: `operation.apply(x[i], y[i])`, the bits of the
/// op's block rule.
struct ElementsOfBinaryOperation<Operation: BroadcastingElementwiseOperation>: SumOperandElements {
    let operation: Operation
    let x: UnsafePointer<Double>
    let y: UnsafePointer<Double>

    @inline(__always) subscript(i: Int) -> Double { operation.apply(x[i], y[i]) }
}

/// One pass over a block for the op that a final sum reads: each element's
/// `value` (of `x[i]`), added into `sum` as ``BlockAccumulator/add(_:count:)``
/// adds it, and `seed` times its `partial` (at `x[i]` and its value) into
/// `result`. For a nonzero seed: `chainProduct` is then the plain product,
/// and for a seed of 1 (a sum's own) the partial itself, the same bits.
/// Four elements are read before any is written, so the loop vectorises.
@inline(__always)
func sumAndPullbackInOnePass(
    seed: Double, x: some SumOperandElements, count: Int, sum: inout BlockAccumulator,
    into result: UnsafeMutablePointer<Double>, value: (Double) -> Double, partial: (Double, Double) -> Double
) {
    if seed == 1 {
        sumAndPullbackInOnePass(x: x, count: count, sum: &sum, into: result, value: value, partial: partial)
    } else {
        sumAndPullbackInOnePass(x: x, count: count, sum: &sum, into: result, value: value) { seed * partial($0, $1) }
    }
}

/// ``sumAndPullbackInOnePass(seed:x:count:sum:into:value:partial:)`` with the
/// seed already in `partial`.
@inline(__always)
private func sumAndPullbackInOnePass(
    x: some SumOperandElements, count: Int, sum: inout BlockAccumulator,
    into result: UnsafeMutablePointer<Double>, value: (Double) -> Double, partial: (Double, Double) -> Double
) {
    var i = 0
    while i &+ 4 <= count {
        let x0 = x[i], x1 = x[i &+ 1], x2 = x[i &+ 2], x3 = x[i &+ 3]
        let v0 = value(x0), v1 = value(x1), v2 = value(x2), v3 = value(x3)
        sum.add(v0, v1, v2, v3)
        let r0 = partial(x0, v0), r1 = partial(x1, v1), r2 = partial(x2, v2), r3 = partial(x3, v3)
        result[i] = r0
        result[i &+ 1] = r1
        result[i &+ 2] = r2
        result[i &+ 3] = r3
        i &+= 4
    }
    while i < count {
        let xi = x[i]
        let v = value(xi)
        sum.addTailElement(v)
        result[i] = partial(xi, v)
        i &+= 1
    }
}

/// ``UniformSeedUnaryPullback`` for a built-in op of two tensors.
protocol UniformSeedBinaryPullback: FusibleBinaryOperation {
    /// `result[i] = seed · ∂output/∂operand` at element `i`, as the block rule.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    )
}

/// `result[i] = chainProduct(seed, partial(i))` for `i` in `0..<count`: the
/// plain product when `seed ≠ 0`, the strong zeros' test only when it is 0.
@inline(__always)
func uniformSeedProducts(
    _ seed: Double, count: Int, into result: UnsafeMutablePointer<Double>, partial: (Int) -> Double
) {
    if seed != 0 {
        for i in 0..<count { result[i] = seed * partial(i) }
    } else {
        for i in 0..<count { result[i] = chainProduct(seed, partial(i)) }
    }
}

extension UniformSeedUnaryPullback where Self: ElementwiseOperation {
    /// The default block rule's formula, `derivative`.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        uniformSeedProducts(seed, count: count, into: result) { derivative(at: x[$0], output: output[$0]) }
    }

    /// The default block rules' formulas, `apply` and `derivative`, in one pass.
    func applySumAndPullback<Elements: SumOperandElements>(
        uniformSeed seed: Double, x: Elements, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        sumAndPullbackInOnePass(
            seed: seed, x: x, count: count, sum: &sum, into: result, value: { apply($0) },
            partial: { derivative(at: $0, output: $1) })
    }

    /// The default block rule's formula, `apply`, added as it is computed.
    func addValues(of x: UnsafePointer<Double>, count: Int, to sum: inout BlockAccumulator) {
        sum.add(x, count: count) { apply($0) }
    }
}

// The same defaults for the ops of elementary functions (whose `apply` and
// `derivative` are generic over `ElementaryScalar`, not `FieldScalar`).
extension UniformSeedUnaryPullback where Self: ElementwiseElementaryOperation {
    /// The default block rule's formula, `derivative`.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        uniformSeedProducts(seed, count: count, into: result) { derivative(at: x[$0], output: output[$0]) }
    }

    /// The default block rules' formulas, `apply` and `derivative`, in one pass.
    func applySumAndPullback<Elements: SumOperandElements>(
        uniformSeed seed: Double, x: Elements, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        sumAndPullbackInOnePass(
            seed: seed, x: x, count: count, sum: &sum, into: result, value: { apply($0) },
            partial: { derivative(at: $0, output: $1) })
    }

    /// The default block rule's formula, `apply`, added as it is computed.
    func addValues(of x: UnsafePointer<Double>, count: Int, to sum: inout BlockAccumulator) {
        sum.add(x, count: count) { apply($0) }
    }
}

// The ops whose block rules are the defaults' formulas. (`tanh` is not
// among them: its block rule is a vectorised kernel that reads the seed.)
extension SubtractFromScalar: UniformSeedUnaryPullback {}
extension MultiplyScalar: UniformSeedUnaryPullback {}
extension DivideScalarBy: UniformSeedUnaryPullback {}
extension Negate: UniformSeedUnaryPullback {}
extension Absolute: UniformSeedUnaryPullback {}
extension Relu: UniformSeedUnaryPullback {}
extension Clamp: UniformSeedUnaryPullback {}
extension RealPower: UniformSeedUnaryPullback {}
extension Exp: UniformSeedUnaryPullback {}
extension Log: UniformSeedUnaryPullback {}
extension SquareRoot: UniformSeedUnaryPullback {}
extension Sine: UniformSeedUnaryPullback {}
extension Cosine: UniformSeedUnaryPullback {}
extension Sigmoid: UniformSeedUnaryPullback {}
extension Log1p: UniformSeedUnaryPullback {}
extension Expm1: UniformSeedUnaryPullback {}
extension Softplus: UniformSeedUnaryPullback {}

extension IntegerPower: UniformSeedUnaryPullback {
    /// `seed · (x + x)` for squares, as the block rule.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        if exponent == 2 {
            uniformSeedProducts(seed, count: count, into: result) { x[$0] + x[$0] }
        } else {
            uniformSeedProducts(seed, count: count, into: result) { derivative(at: x[$0], output: output[$0]) }
        }
    }

    /// `x·x` and `seed · (x + x)` for squares, as the block rules, in one pass.
    func applySumAndPullback<Elements: SumOperandElements>(
        uniformSeed seed: Double, x: Elements, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        guard exponent == 2 else {
            return sumAndPullbackInOnePass(
                seed: seed, x: x, count: count, sum: &sum, into: result, value: { Self.power($0, exponent) },
                partial: { derivative(at: $0, output: $1) })
        }
        sumAndPullbackInOnePass(
            seed: seed, x: x, count: count, sum: &sum, into: result, value: { $0 * $0 }, partial: { x, _ in x + x })
    }

    /// `x·x` for squares, as the block rule, added as it is computed.
    func addValues(of x: UnsafePointer<Double>, count: Int, to sum: inout BlockAccumulator) {
        if exponent == 2 {
            sum.add(x, count: count) { $0 * $0 }
        } else {
            sum.add(x, count: count) { Self.power($0, exponent) }
        }
    }
}

extension AddScalar: UniformSeedUnaryPullback {
    /// The seed itself.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(repeating: seed, count: count)
    }
}

extension SubtractScalar: UniformSeedUnaryPullback {
    /// The seed itself.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(repeating: seed, count: count)
    }
}

extension DivideByScalar: UniformSeedUnaryPullback {
    /// The seed divided by the constant, in every element.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, output: UnsafePointer<Double>,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(repeating: seed / constant, count: count)
    }

    /// `x / c` added into the sum, and the seed divided by `c`, in one pass.
    func applySumAndPullback<Elements: SumOperandElements>(
        uniformSeed seed: Double, x: Elements, sum: inout BlockAccumulator,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        let gradient = seed / constant
        sumAndPullbackInOnePass(
            seed: 1, x: x, count: count, sum: &sum, into: result, value: { $0 / constant }, partial: { _, _ in gradient })
    }
}

extension Add: UniformSeedBinaryPullback {
    /// The seed itself, for both operands.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(repeating: seed, count: count)
    }
}

extension Subtract: UniformSeedBinaryPullback {
    /// The seed for `x`, its negation for `y`.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        result.update(repeating: operand == .left ? seed : -seed, count: count)
    }
}

extension Multiply: UniformSeedBinaryPullback {
    /// `seed · y` for `x`, `seed · x` for `y`.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        let other = operand == .left ? y : x
        uniformSeedProducts(seed, count: count, into: result) { other[$0] }
    }
}

extension Divide: UniformSeedBinaryPullback {
    /// `seed / y` for `x`, `−(seed / y)·output` for `y`.
    func pullback(
        uniformSeed seed: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        output: UnsafePointer<Double>, wrt operand: BinaryOperand,
        into result: UnsafeMutablePointer<Double>, count: Int
    ) {
        guard seed != 0 else {
            withUniformPiece(seed, count: count) {
                pullback($0, x: x, y: y, output: output, wrt: operand, into: result, count: count)
            }
            return
        }
        if operand == .left {
            for i in 0..<count { result[i] = seed / y[i] }
        } else {
            for i in 0..<count { result[i] = -chainProduct(seed / y[i], output[i]) }
        }
    }
}

/// Calls `body` with `count` copies of `seed`: the block rule's own seed piece.
func withUniformPiece(_ seed: Double, count: Int, _ body: (UnsafePointer<Double>) -> Void) {
    withScratch(count: count) { piece in
        piece.initialize(repeating: seed, count: count)
        body(piece)
    }
}
