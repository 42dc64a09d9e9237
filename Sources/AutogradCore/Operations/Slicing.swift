// Slices and joins along one axis: `narrow` (a range of positions, and
// `select`, one position, on top of it) and `cat`/`stack`. Their rules move
// gradients back to where the elements came from.

/// The positions `start..<start + length` along one axis (`NarrowBackward`),
/// like PyTorch's `narrow`; its gradient is the output's, padded with zeros.
///
/// ```swift
/// Tensor([[1.0, 2, 3], [4, 5, 6]]).narrow(dim: 1, start: 1, length: 2)   // [[2, 3], [5, 6]]
/// ```
public struct Narrow: ShapeOnlyReverseRule {
    /// The axis sliced, as given (possibly negative).
    public let axis: Int
    /// The first position kept.
    public let start: Int
    /// How many positions are kept.
    public let length: Int

    /// The operation keeping `length` positions from `start` along `axis`.
    public init(axis: Int, start: Int, length: Int) {
        (self.axis, self.start, self.length) = (axis, start, length)
    }

    public var name: String { "Narrow" }

    /// The normalised axis, trapping when the range does not fit the shape.
    @inlinable
    func checkedAxis(_ shape: Shape) -> Int {
        let axis = shape.normalizedAxis(axis, op: "narrow")
        guard start >= 0, length >= 0, start + length <= shape[axis] else {
            fatalError("narrow: positions \(start)..<\(start + length) are out of range for dimension \(axis) of shape \(shape)")
        }
        return axis
    }

    public func outputShape(for input: Shape) -> Shape {
        var dimensions = input.dimensions
        dimensions[checkedAxis(input)] = length
        return Shape(dimensions)
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        let axis = checkedAxis(x.shape)
        let (outer, size, inner) = x.splitShape(at: axis)
        var dimensions = x.shape.dimensions
        dimensions[axis] = length
        return x.withUnsafeBufferPointer { x in
            TensorValue(shape: Shape(dimensions)) { out in
                for o in 0..<outer {
                    (out + o * length * inner).initialize(from: x.baseAddress! + (o * size + start) * inner, count: length * inner)
                }
            }
        }
    }

    @inlinable
    public func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S> {
        let axis = checkedAxis(inputShape)
        let dimensions = inputShape.dimensions
        let outer = dimensions[..<axis].reduce(1, *), size = dimensions[axis], inner = dimensions[(axis + 1)...].reduce(1, *)
        return gradient.withUnsafeBufferPointer { g in
            TensorValue(shape: inputShape) { out in
                out.initialize(repeating: .zero, count: inputShape.elementCount)
                for o in 0..<outer {
                    for i in 0..<length * inner { out[(o * size + start) * inner + i] = g[o * length * inner + i] }
                }
            }
        }
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        value(tangent)
    }
}

/// Two tensors joined along one axis (`CatBackward`), like PyTorch's `cat`
/// of two; their other dimensions must agree. Its gradient is split back.
///
/// ```swift
/// Tensor.cat([Tensor([1.0, 2]), Tensor([3.0])])   // [1, 2, 3]
/// ```
public struct Concatenate: BinaryOperation {
    /// The axis joined along, as given (possibly negative).
    public let axis: Int
    /// The operation joining along `axis`.
    public init(axis: Int) { self.axis = axis }
    public var name: String { "Cat" }

    /// The normalised axis, trapping unless the shapes agree elsewhere.
    @inlinable
    func checkedAxis(_ x: Shape, _ y: Shape) -> Int {
        let axis = x.normalizedAxis(axis, op: "cat")
        var (a, b) = (x.dimensions, y.dimensions)
        guard a.count == b.count else { fatalError("cat: shapes \(x) and \(y) have different ranks") }
        (a[axis], b[axis]) = (0, 0)
        guard a == b else { fatalError("cat: shapes \(x) and \(y) differ outside dimension \(axis)") }
        return axis
    }

    public func outputShape(_ x: Shape, _ y: Shape) -> Shape {
        let axis = checkedAxis(x, y)
        var dimensions = x.dimensions
        dimensions[axis] += y[axis]
        return Shape(dimensions)
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S> {
        let axis = checkedAxis(x.shape, y.shape)
        let (outer, first, inner) = x.splitShape(at: axis)
        let second = y.shape[axis]
        var dimensions = x.shape.dimensions
        dimensions[axis] = first + second
        return x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                TensorValue(shape: Shape(dimensions)) { out in
                    for o in 0..<outer {
                        let row = out + o * (first + second) * inner
                        row.initialize(from: x.baseAddress! + o * first * inner, count: first * inner)
                        (row + first * inner).initialize(from: y.baseAddress! + o * second * inner, count: second * inner)
                    }
                }
            }
        }
    }

    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        let axis = checkedAxis(x.shape, y.shape)
        let first = x.shape[axis]
        return operand == .left
            ? Narrow(axis: axis, start: 0, length: first).value(gradient)
            : Narrow(axis: axis, start: first, length: y.shape[axis]).value(gradient)
    }

    @inlinable
    public func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>, tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S> {
        value(tangents.x ?? .zeros(x.shape), tangents.y ?? .zeros(y.shape))
    }
}

extension Tensor {
    /// The positions `start..<start + length` along `dim`, like PyTorch's
    /// `narrow`; traps, naming the shape, when they do not fit.
    @inlinable
    public func narrow(dim: Int, start: Int, length: Int) -> Tensor { applying(Narrow(axis: dim, start: start, length: length)) }

    /// Position `index` along `dim` (negative counts from the end), which the
    /// result no longer has, like PyTorch's `select` and `x[index]`.
    ///
    /// ```swift
    /// Tensor([[1.0, 2], [3, 4]]).select(dim: 0, index: 1)   // [3, 4]
    /// ```
    public func select(dim: Int, index: Int) -> Tensor {
        let axis = shape.normalizedAxis(dim, op: "select")
        let size = shape[axis]
        guard (-size..<size).contains(index) else {
            fatalError("select: index \(index) is out of range for dimension \(axis) of size \(size) (shape \(shape))")
        }
        return narrow(dim: axis, start: index < 0 ? index + size : index, length: 1).reshape(shape.removing(axis))
    }

    /// The tensor at leading indices, like PyTorch's `x[i]` and `x[i, j]`:
    /// each index selects along the next dimension (negative counts from the
    /// end), recorded like ``select(dim:index:)``, so gradients flow through
    /// it. One index per dimension gives a zero-dimensional tensor, whose
    /// ``item()`` is the element. Traps, naming the shape, for more indices
    /// than dimensions or an index out of range.
    ///
    /// ```swift
    /// let x = Tensor([[1.0, 2], [3, 4]])
    /// x[1]            // [3, 4]
    /// x[1, 0].item()  // 3.0
    /// ```
    public subscript(index: Int...) -> Tensor {
        guard index.count <= rank else {
            fatalError("index \(index) has \(index.count) components, but the shape \(shape) has \(rank)")
        }
        for (position, size) in zip(index, shape.dimensions) where !(-size..<size).contains(position) {
            fatalError("index \(index) is out of range for shape \(shape)")
        }
        return index.reduce(self) { tensor, position in tensor.select(dim: 0, index: position) }
    }

    /// The rows `range` (positions along the first dimension), like PyTorch's `x[1:3]`.
    ///
    /// ```swift
    /// Tensor([[1.0, 2], [3, 4], [5, 6]])[rows: 1..<3]   // [[3, 4], [5, 6]]
    /// ```
    public subscript(rows range: Range<Int>) -> Tensor {
        narrow(dim: 0, start: range.lowerBound, length: range.count)
    }

    /// Tensors joined along `dim`, like PyTorch's `torch.cat`: their other
    /// dimensions must agree (else it traps naming the shapes). Traps on an
    /// empty list.
    ///
    /// ```swift
    /// Tensor.cat([a, b], dim: 1)
    /// ```
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        guard let first = tensors.first else { fatalError("cat: needs at least one tensor") }
        return tensors.dropFirst().reduce(first) { Tensor.applying(Concatenate(axis: dim), $0, $1) }
    }

    /// Tensors of one shape stacked along a new dimension `dim`, like PyTorch's `torch.stack`.
    ///
    /// ```swift
    /// Tensor.stack([Tensor([1.0, 2]), Tensor([3.0, 4])])   // [[1, 2], [3, 4]]
    /// ```
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        guard let first = tensors.first else { fatalError("stack: needs at least one tensor") }
        if let other = tensors.first(where: { $0.shape != first.shape }) {
            fatalError("stack: every tensor must have one shape, got \(first.shape) and \(other.shape)")
        }
        return cat(tensors.map { $0.unsqueeze(dim) }, dim: dim)
    }
}
