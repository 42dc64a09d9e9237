import RealModule

// Field arithmetic, reductions and linear algebra on tensor values, generic over
// the scalar so that every strategy runs the same loops. The ops in
// `Operations/` are written in terms of these.

extension TensorValue where Scalar: FieldScalar {
    /// Values of the given shape, all zero.
    @inlinable
    public static func zeros(_ shape: Shape) -> TensorValue { TensorValue(repeating: .zero, shape: shape) }

    /// The sum of every element, in ``SummationOrder``'s fixed blocks: four
    /// interleaved partial sums per block (which the compiler can vectorise),
    /// blocks added from left to right, so that compiled plans on any number
    /// of threads give the same bits.
    @inlinable
    public func sum() -> Scalar {
        withUnsafeBufferPointer { x in
            guard let start = x.baseAddress else { return .zero }
            return SummationOrder.sum(of: start, count: x.count)
        }
    }

    /// Values of the given shape, zero-filled, then updated through `accumulate`
    /// (for results that are sums of several terms).
    @inlinable
    static func accumulating(
        _ shape: Shape, _ accumulate: (UnsafeMutablePointer<Scalar>) -> Void
    ) -> TensorValue {
        TensorValue(shape: shape) { out in
            out.initialize(repeating: .zero, count: shape.elementCount)
            accumulate(out)
        }
    }

    /// Sums along one axis, removing it from the shape.
    ///
    /// ```swift
    /// TensorValue(shape: [2, 2], scalars: [1.0, 2, 3, 4]).sum(alongAxis: 0).scalars   // [4, 6]
    /// ```
    @inlinable
    public func sum(alongAxis axis: Int) -> TensorValue {
        let (outer, size, inner) = splitShape(at: axis)
        var dimensions = shape.dimensions
        dimensions.remove(at: axis)
        return withUnsafeBufferPointer { x in
            .accumulating(Shape(dimensions)) { out in
                for o in 0..<outer {
                    for k in 0..<size {
                        let row = (o * size + k) * inner
                        for i in 0..<inner { out[o * inner + i] += x[row + i] }
                    }
                }
            }
        }
    }

    /// The sizes before, at and after `axis`, for loops over one axis.
    @inlinable
    func splitShape(at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        let dimensions = shape.dimensions
        let outer = dimensions[..<axis].reduce(1, *)
        let inner = dimensions[(axis + 1)...].reduce(1, *)
        return (outer, dimensions[axis], inner)
    }

    /// Repeats the values along a new axis of the given size, inserted at `axis`;
    /// the inverse of ``sum(alongAxis:)`` for gradients.
    @inlinable
    public func repeated(alongNewAxis axis: Int, count size: Int) -> TensorValue {
        var dimensions = shape.dimensions
        dimensions.insert(size, at: axis)
        let outer = dimensions[..<axis].reduce(1, *)
        let inner = dimensions[(axis + 1)...].reduce(1, *)
        return withUnsafeBufferPointer { x in
            TensorValue(shape: Shape(dimensions)) { out in
                var position = 0
                for o in 0..<outer {
                    for _ in 0..<size {
                        (out + position).initialize(from: x.baseAddress! + o * inner, count: inner)
                        position += inner
                    }
                }
            }
        }
    }

    /// The values repeated to a larger shape that they broadcast to.
    @inlinable
    public func broadcast(to target: Shape) -> TensorValue {
        if shape == target { return self }
        guard Shape.broadcast(shape, target) == target else {
            fatalError("broadcast: shape \(shape) cannot be broadcast to \(target)")
        }
        if elementCount == 1 { return TensorValue(repeating: self[flat: 0], shape: target) }
        return gathered(target, strides: shape.broadcastStrides(to: target))
    }

    /// The values read with the given strides into a new row-major value.
    @inlinable
    func gathered(_ target: Shape, strides: [Int]) -> TensorValue {
        withUnsafeBufferPointer { x in
            TensorValue(shape: target) { out in
                let zeros = [Int](repeating: 0, count: target.rank)
                forEachBroadcastOffset(target, strides, zeros) { i, offset, _ in
                    (out + i).initialize(to: x[offset])
                }
            }
        }
    }

    /// Sums a gradient of a broadcast result back down to the shape of the
    /// operand that was broadcast: the reverse of ``broadcast(to:)``.
    @inlinable
    public func reduced(to target: Shape) -> TensorValue {
        if shape == target { return self }
        guard Shape.broadcast(target, shape) == shape else {
            fatalError("reduce: shape \(shape) cannot be reduced to \(target)")
        }
        if elementCount == target.elementCount { return reshaped(to: target) }
        return withUnsafeBufferPointer { x in
            .accumulating(target) { out in
                // Broadcast along leading dimensions only (a bias's
                // gradient): whole rows add onto the target, in the same
                // order as the general loop below.
                if target.broadcastsAsRepeatedBlock(to: shape) {
                    let inner = target.elementCount
                    // A row pointer, so that the inner loop has no overflow checks and vectorises.
                    for row in stride(from: 0, to: x.count, by: inner) {
                        let source = x.baseAddress! + row
                        for i in 0..<inner { out[i] += source[i] }
                    }
                    return
                }
                let zeros = [Int](repeating: 0, count: shape.rank)
                forEachBroadcastOffset(shape, target.broadcastStrides(to: shape), zeros) { i, offset, _ in
                    out[offset] += x[i]
                }
            }
        }
    }

    /// The values with two axes swapped.
    @inlinable
    public func transposed(_ axis0: Int, _ axis1: Int) -> TensorValue {
        if axis0 == axis1 { return self }
        var dimensions = shape.dimensions
        dimensions.swapAt(axis0, axis1)
        var strides = shape.strides
        strides.swapAt(axis0, axis1)
        return gathered(Shape(dimensions), strides: strides)
    }

    /// The element-wise sum of two values of the same shape, as gradients are
    /// accumulated.
    @inlinable
    public func adding(_ other: TensorValue) -> TensorValue {
        TensorValue.broadcasting(self, other, op: "Accumulate", +)
    }
}
