// Arithmetic operators with NumPy broadcasting, and with a `Double` on either
// side. A shape mismatch traps with a message naming the op and both shapes.

extension Tensor {
    /// Element-wise sum, broadcasting. `a + b`
    @inlinable public static func + (a: Tensor, b: Tensor) -> Tensor { applying(Add(), a, b) }
    /// Element-wise difference, broadcasting. `a - b`
    @inlinable public static func - (a: Tensor, b: Tensor) -> Tensor { applying(Subtract(), a, b) }
    /// Element-wise product, broadcasting. `a * b`
    @inlinable public static func * (a: Tensor, b: Tensor) -> Tensor { applying(Multiply(), a, b) }
    /// Element-wise quotient, broadcasting. `a / b`
    @inlinable public static func / (a: Tensor, b: Tensor) -> Tensor { applying(Divide(), a, b) }

    /// Adds a constant to every element. `x + 1`
    @inlinable public static func + (x: Tensor, c: Double) -> Tensor { x.applying(AddScalar(c)) }
    /// Adds a constant to every element. `1 + x`
    @inlinable public static func + (c: Double, x: Tensor) -> Tensor { x.applying(AddScalar(c)) }
    /// Subtracts a constant from every element. `x - 1`
    @inlinable public static func - (x: Tensor, c: Double) -> Tensor { x.applying(SubtractScalar(c)) }
    /// Subtracts every element from a constant. `1 - x`
    @inlinable public static func - (c: Double, x: Tensor) -> Tensor { x.applying(SubtractFromScalar(c)) }
    /// Multiplies every element by a constant. `x * 2`
    @inlinable public static func * (x: Tensor, c: Double) -> Tensor { x.applying(MultiplyScalar(c)) }
    /// Multiplies every element by a constant. `2 * x`
    @inlinable public static func * (c: Double, x: Tensor) -> Tensor { x.applying(MultiplyScalar(c)) }
    /// Divides every element by a constant. `x / 2`
    @inlinable public static func / (x: Tensor, c: Double) -> Tensor { x.applying(DivideByScalar(c)) }
    /// Divides a constant by every element. `1 / x`
    @inlinable public static func / (c: Double, x: Tensor) -> Tensor { x.applying(DivideScalarBy(c)) }

    /// Adds an integer to every element. `x + n`
    @inlinable public static func + (x: Tensor, n: Int) -> Tensor { x + Double(n) }
    /// Adds an integer to every element. `n + x`
    @inlinable public static func + (n: Int, x: Tensor) -> Tensor { Double(n) + x }
    /// Subtracts an integer from every element. `x - n`
    @inlinable public static func - (x: Tensor, n: Int) -> Tensor { x - Double(n) }
    /// Subtracts every element from an integer. `n - x`
    @inlinable public static func - (n: Int, x: Tensor) -> Tensor { Double(n) - x }
    /// Multiplies every element by an integer. `x * n`
    @inlinable public static func * (x: Tensor, n: Int) -> Tensor { x * Double(n) }
    /// Multiplies every element by an integer. `n * x`
    @inlinable public static func * (n: Int, x: Tensor) -> Tensor { Double(n) * x }
    /// Divides every element by an integer. `x / n`
    @inlinable public static func / (x: Tensor, n: Int) -> Tensor { x / Double(n) }
    /// Divides an integer by every element. `n / x`
    @inlinable public static func / (n: Int, x: Tensor) -> Tensor { Double(n) / x }

    /// Element-wise negation. `-x`
    @inlinable public static prefix func - (x: Tensor) -> Tensor { x.applying(Negate()) }
}

extension Tensor {
    /// Every element to an integer power, like `x.pow(2)` in PyTorch: exactly
    /// `x * x` for 2.
    @inlinable public func pow(_ exponent: Int) -> Tensor { applying(IntegerPower(exponent)) }

    /// Every element to a real power; an integral exponent records the integer
    /// power. Negative elements give NaN for a non-integral exponent.
    @inlinable
    public func pow(_ exponent: Double) -> Tensor {
        if exponent.rounded() == exponent, let integer = Int(exactly: exponent) {
            return applying(IntegerPower(integer))
        }
        return applying(RealPower(exponent))
    }

    /// `eˣ` element-wise.
    @inlinable public func exp() -> Tensor { applying(Exp()) }
    /// The natural logarithm element-wise.
    @inlinable public func log() -> Tensor { applying(Log()) }
    /// The square root element-wise.
    @inlinable public func sqrt() -> Tensor { applying(SquareRoot()) }
    /// The sine element-wise.
    @inlinable public func sin() -> Tensor { applying(Sine()) }
    /// The cosine element-wise.
    @inlinable public func cos() -> Tensor { applying(Cosine()) }
    /// The hyperbolic tangent element-wise.
    @inlinable public func tanh() -> Tensor { applying(HyperbolicTangent()) }
    /// The logistic function `1/(1 + e⁻ˣ)` element-wise.
    @inlinable public func sigmoid() -> Tensor { applying(Sigmoid()) }
    /// `ln(1 + x)` element-wise, accurate for tiny `x`.
    @inlinable public func log1p() -> Tensor { applying(Log1p()) }
    /// `eˣ − 1` element-wise, accurate for tiny `x`.
    @inlinable public func expm1() -> Tensor { applying(Expm1()) }
    /// `ln(1 + eˣ)` element-wise, without overflow: a smooth `relu`.
    @inlinable public func softplus() -> Tensor { applying(Softplus()) }
    /// The absolute value element-wise.
    @inlinable public func abs() -> Tensor { applying(Absolute()) }
    /// Every element limited to `[min, max]` (either bound may be left out),
    /// like PyTorch's `clamp`: the gradient is 1 inside, bounds included, 0 outside.
    @inlinable public func clamp(min: Double? = nil, max: Double? = nil) -> Tensor { applying(Clamp(lower: min, upper: max)) }
    /// `max(x, 0)` element-wise.
    @inlinable public func relu() -> Tensor { applying(Relu()) }

    /// The sum of all elements, a zero-dimensional tensor.
    @inlinable public func sum() -> Tensor { applyingReduction(Sum()) { $0 } }
    /// The sum along dimension `dim` (negative counts from the end), which the
    /// result no longer has.
    @inlinable public func sum(dim: Int) -> Tensor { applying(SumAlongAxis(axis: dim)) }
    /// The mean of all elements, a zero-dimensional tensor.
    @inlinable public func mean() -> Tensor {
        let count = Double(elementCount)
        return applyingReduction(Mean()) { $0 / count }
    }
    /// The mean along dimension `dim`, which the result no longer has.
    @inlinable public func mean(dim: Int) -> Tensor { applying(MeanAlongAxis(axis: dim)) }

    /// The matrix product, like PyTorch's `matmul`: `[m, k] × [k, n] → [m, n]`;
    /// a 1-D operand is a row (on the left) or a column (on the right) whose
    /// dimension the result drops (two 1-D operands give their dot product);
    /// operands of rank 3 or more are stacks of matrices, their leading
    /// dimensions broadcast, in one ``MatrixMultiply`` node. `Double` products
    /// go through OpenBLAS once `Autograd` is linked. Traps, naming the shapes,
    /// when the inner dimensions differ or the stacks don't broadcast.
    ///
    /// ```swift
    /// Tensor([[1.0, 2], [3, 4]]).matmul(Tensor([1.0, 1]))   // [3, 7]
    /// ```
    public func matmul(_ other: Tensor) -> Tensor {
        switch (rank, other.rank) {
        case (0, _), (_, 0): fatalError("matmul: both operands need at least one dimension, got shapes \(shape) and \(other.shape)")
        case (1, 1): return unsqueeze(0).matmul(other.unsqueeze(1)).reshape(Shape([]))
        case (1, _): return unsqueeze(0).matmul(other).squeeze(-2)
        case (_, 1): return matmul(other.unsqueeze(1)).squeeze(-1)
        case (2, 2): return Tensor.applying(MatrixMultiply(), self, other)
        case (_, 2):
            // A stack of matrices times one matrix: one product of the rows.
            let (rows, inner) = (shape[rank - 2], shape[rank - 1])
            let flat = reshape(-1, inner).matmul(other)
            return flat.reshape(Shape(shape.dimensions.dropLast(2) + [rows, other.shape[1]]))
        default:
            // Stacks of matrices: one node, whose stacks broadcast.
            return Tensor.applying(MatrixMultiply(), self, other)
        }
    }

    /// A 2-D tensor's transpose, like PyTorch's `t()`.
    @inlinable public func transpose() -> Tensor { transpose(0, 1) }
    /// The tensor with two dimensions swapped.
    @inlinable public func transpose(_ dim0: Int, _ dim1: Int) -> Tensor { applying(Transpose(dim0, dim1)) }
    /// The same elements under new dimensions; one may be `-1`, inferred.
    @inlinable public func reshape(_ dimensions: Int...) -> Tensor { applying(Reshape(dimensions)) }
    /// The same elements under another shape with the same element count.
    @inlinable public func reshape(_ shape: Shape) -> Tensor { applying(Reshape(shape.dimensions)) }
}
