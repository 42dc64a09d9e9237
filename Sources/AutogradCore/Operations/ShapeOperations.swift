import RealModule

// Ops that move elements without arithmetic: their rules move gradients the
// same way back.

/// Swaps two axes (`TransposeBackward`). A negative axis counts from the end.
public struct Transpose: UnaryOperation {
    /// The two axes swapped, as given.
    public let axes: (Int, Int)
    /// The operation swapping `axis0` and `axis1`.
    public init(_ axis0: Int, _ axis1: Int) { axes = (axis0, axis1) }
    public var name: String { "Transpose" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        x.transposed(x.shape.normalizedAxis(axes.0, op: name), x.shape.normalizedAxis(axes.1, op: name))
    }

    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        value(gradient)
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        value(tangent)
    }
}

/// The same elements under a new shape (`ReshapeBackward`); one dimension may
/// be `-1`, inferred from the element count.
public struct Reshape: UnaryOperation {
    /// The requested dimensions, possibly with one `-1`.
    public let dimensions: [Int]
    /// The operation reshaping to `dimensions` (one may be -1).
    public init(_ dimensions: [Int]) { self.dimensions = dimensions }
    public var name: String { "Reshape" }

    /// The requested dimensions, with `-1` resolved.
    public func outputShape(for input: Shape) -> Shape { resolvedShape(from: input) }

    /// The shape these dimensions give to `elementCount` elements, trapping
    /// with both shapes when they cannot hold them.
    @inlinable
    public func resolvedShape(from shape: Shape) -> Shape {
        let count = shape.elementCount
        let inferred = dimensions.indices.filter { dimensions[$0] == -1 }
        let known = dimensions.filter { $0 != -1 }.reduce(1, *)
        var resolved = dimensions
        if inferred.count == 1 && known > 0 && count % known == 0 {
            resolved[inferred[0]] = count / known
        }
        guard inferred.count <= 1, resolved.allSatisfy({ $0 >= 0 }), resolved.reduce(1, *) == count else {
            fatalError("reshape: shape \(shape) (\(count) elements) cannot be reshaped to \(dimensions)")
        }
        return Shape(resolved)
    }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        x.reshaped(to: resolvedShape(from: x.shape))
    }

    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        gradient.reshaped(to: x.shape)
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        tangent.reshaped(to: output.shape)
    }
}
