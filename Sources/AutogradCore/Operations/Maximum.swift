// The largest element, of the whole tensor or along an axis, with PyTorch's
// gradients: the whole tensor's maximum shares its gradient evenly among tied
// elements; a maximum along an axis sends it to the first largest element of
// each slice (the index `argmax` returns). NaN wins, as in PyTorch. Each value
// formula is written so that its derivative over dual numbers is that same
// convention, which is what the exact reference differentiates.

/// The position of the first largest element among `count` elements read by
/// `element` (a NaN is the largest); `count` must be at least 1.
@inlinable
func firstMaximum<S: FieldScalar>(count: Int, _ element: (Int) -> S) -> Int {
    var best = 0
    var largest = element(0)
    if largest != largest { return 0 }
    for i in 1..<count {
        let x = element(i)
        if x != x { return i }
        if x > largest { (best, largest) = (i, x) }
    }
    return best
}

/// The largest element (`MaxBackward`), a zero-dimensional tensor; at ties
/// its gradient is shared evenly by the tied elements, as PyTorch's `max()`.
/// Traps on an empty tensor.
///
/// ```swift
/// Tensor([1.0, 3, 3]).max()   // 3; its gradient [0, 0.5, 0.5]
/// ```
public struct Maximum: UnaryOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Max" }
    public func outputShape(for input: Shape) -> Shape { [] }

    /// The first largest element m plus the mean of (xᵢ − m) over the tied
    /// elements: exactly m, and over dual numbers the mean of their tangents.
    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        guard x.elementCount > 0 else { fatalError("max(): cannot reduce an empty tensor (shape \(x.shape))") }
        return x.withUnsafeBufferPointer { x in
            let first = x[firstMaximum(count: x.count) { x[$0] }]
            var offsets = S.zero, ties = 0
            for element in x where element == first {
                offsets += element - first
                ties += 1
            }
            return TensorValue(scalar: ties > 1 ? first + offsets / S(Double(ties)) : first)
        }
    }

    /// The gradient shared by the elements equal to the output.
    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        let (largest, g) = (output[flat: 0], gradient[flat: 0])
        if largest != largest {
            let position = firstMaximum(count: x.elementCount) { x[flat: $0] }
            return x.mapIndexed { i, _ in i == position ? g : .zero }
        }
        let ties = x.withUnsafeBufferPointer { $0.count { $0 == largest } }
        let share = g / S(Double(ties))
        return x.map { $0 == largest ? share : .zero }
    }

    /// The mean tangent of the elements equal to the output.
    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        let largest = output[flat: 0]
        if largest != largest { return TensorValue(scalar: tangent[flat: firstMaximum(count: x.elementCount) { x[flat: $0] }]) }
        var sum = S.zero, ties = 0
        for i in 0..<x.elementCount where x[flat: i] == largest {
            sum += tangent[flat: i]
            ties += 1
        }
        return TensorValue(scalar: sum / S(Double(ties)))
    }
}

/// The largest element along one axis, which the result no longer has
/// (`MaxBackward`); its gradient goes to each slice's first largest element,
/// the one `argmax(dim:)` names. Traps on an empty axis.
///
/// ```swift
/// Tensor([[1.0, 5], [7, 2]]).max(dim: 1)   // [5, 7]
/// ```
public struct MaximumAlongAxis: UnaryOperation {
    /// The axis reduced, as given (possibly negative).
    public let axis: Int
    /// The operation along `axis` (negative counts from the end).
    public init(axis: Int) { self.axis = axis }
    public var name: String { "Max" }

    public func outputShape(for input: Shape) -> Shape {
        var dimensions = input.dimensions
        dimensions.remove(at: input.normalizedAxis(axis, op: "max(dim:)"))
        return Shape(dimensions)
    }

    /// For each slice (outer, inner), the flat position of its first largest element.
    @inlinable
    func positions<S: FieldScalar>(_ x: TensorValue<S>) -> (shape: Shape, positions: [Int]) {
        let axis = x.shape.normalizedAxis(axis, op: "max(dim:)")
        guard x.shape[axis] > 0 else { fatalError("max(dim:): cannot reduce the empty dimension \(axis) of shape \(x.shape)") }
        let (outer, size, inner) = x.splitShape(at: axis)
        var dimensions = x.shape.dimensions
        dimensions.remove(at: axis)
        let positions = x.withUnsafeBufferPointer { x in
            (0..<outer * inner).map { slice in
                let (o, i) = slice.quotientAndRemainder(dividingBy: inner)
                return (o * size + firstMaximum(count: size) { x[(o * size + $0) * inner + i] }) * inner + i
            }
        }
        return (Shape(dimensions), positions)
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        let (shape, positions) = positions(x)
        return x.withUnsafeBufferPointer { x in TensorValue(shape: shape, scalars: positions.map { x[$0] }) }
    }

    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        var scalars = [S](repeating: .zero, count: x.elementCount)
        for (slice, position) in positions(x).positions.enumerated() { scalars[position] = gradient[flat: slice] }
        return TensorValue(shape: x.shape, scalars: scalars)
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        let (shape, positions) = positions(x)
        return TensorValue(shape: shape, scalars: positions.map { tangent[flat: $0] })
    }
}

extension Tensor {
    /// The largest element, like PyTorch's `max()`: at ties the gradient is
    /// shared evenly. Traps on an empty tensor.
    @inlinable public func max() -> Tensor { applying(Maximum()) }
    /// The smallest element, `-max(-x)`: at ties the gradient is shared evenly.
    @inlinable public func min() -> Tensor { -(-self).max() }

    /// The largest element along `dim`, which the result keeps with size 1
    /// when `keepDim`; the gradient goes to each slice's first largest element.
    ///
    /// ```swift
    /// let shifted = x - x.max(dim: 1, keepDim: true)
    /// ```
    public func max(dim: Int, keepDim: Bool = false) -> Tensor {
        let result = applying(MaximumAlongAxis(axis: dim))
        return keepDim ? result.reshape(shape.keepingOne(shape.normalizedAxis(dim, op: "max(dim:)"))) : result
    }

    /// The smallest element along `dim`, `-max(-x, dim)`.
    public func min(dim: Int, keepDim: Bool = false) -> Tensor { -(-self).max(dim: dim, keepDim: keepDim) }

    /// The flat position of the first largest element (NaN counts as largest),
    /// like PyTorch's `argmax()`. Traps on an empty tensor.
    ///
    /// ```swift
    /// Tensor([[1.0, 5], [7, 2]]).argmax()   // 2
    /// ```
    public func argmax() -> Int {
        guard elementCount > 0 else { fatalError("argmax(): cannot reduce an empty tensor (shape \(shape))") }
        return value.withUnsafeBufferPointer { x in firstMaximum(count: x.count) { x[$0] } }
    }

    /// The position along `dim` of each slice's first largest element, a
    /// tensor of integral values that does not require gradients, like
    /// PyTorch's `argmax(dim)` (whose indices are integers).
    ///
    /// ```swift
    /// Tensor([[1.0, 5], [7, 2]]).argmax(dim: 1)   // [1, 0]
    /// ```
    public func argmax(dim: Int) -> Tensor {
        let operation = MaximumAlongAxis(axis: dim)
        let (shape, positions) = operation.positions(value)
        let (_, size, inner) = value.splitShape(at: self.shape.normalizedAxis(dim, op: "argmax(dim:)"))
        return Tensor(TensorValue(shape: shape, scalars: positions.map { Double($0 / inner % size) }))
    }
}
