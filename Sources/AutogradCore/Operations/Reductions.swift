import RealModule

// Sums and means, of all elements or along one axis.

/// A reduction to one element whose reverse rule hands every input element
/// the same gradient (``Sum``, ``Mean``): the backward pass carries that one
/// value to the next rule instead of a tensor of copies, and the element-wise
/// rules read it so. It must be the value that every element of `vjp`'s
/// result has.
///
/// ```swift
/// Mean().uniformGradient(inputShape: [4], gradient: 1)   // 0.25
/// ```
public protocol UniformReverseRule: ShapeOnlyReverseRule {
    /// The gradient of each input element, given the output's.
    func uniformGradient(inputShape: Shape, gradient: Double) -> Double
}

/// The sum of all elements, a zero-dimensional result (`SumBackward`).
public struct Sum: UniformReverseRule {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Sum" }

    /// A zero-dimensional result.
    public func outputShape(for input: Shape) -> Shape { [] }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        TensorValue(scalar: x.sum())
    }

    /// Every element receives the output's gradient.
    @inlinable
    public func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S> {
        TensorValue(repeating: gradient[flat: 0], shape: inputShape)
    }

    /// The output's gradient, for every element.
    public func uniformGradient(inputShape: Shape, gradient: Double) -> Double { gradient }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        TensorValue(scalar: tangent.sum())
    }
}

/// The mean of all elements, a zero-dimensional result (`MeanBackward`).
public struct Mean: UniformReverseRule {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Mean" }

    /// A zero-dimensional result.
    public func outputShape(for input: Shape) -> Shape { [] }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        TensorValue(scalar: x.sum() / S(Double(x.elementCount)))
    }

    /// Every element receives the output's gradient divided by the count.
    @inlinable
    public func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S> {
        TensorValue(repeating: gradient[flat: 0] / S(Double(inputShape.elementCount)), shape: inputShape)
    }

    /// The output's gradient divided by the count, for every element.
    public func uniformGradient(inputShape: Shape, gradient: Double) -> Double {
        gradient / Double(inputShape.elementCount)
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        TensorValue(scalar: tangent.sum() / S(Double(x.elementCount)))
    }
}

/// The sum along one axis, which the result no longer has (`SumBackward`).
/// A negative axis counts from the end.
public struct SumAlongAxis: ShapeOnlyReverseRule {
    /// The axis summed over, as given (possibly negative).
    public let axis: Int
    /// The operation along `axis` (negative counts from the end).
    public init(axis: Int) { self.axis = axis }
    public var name: String { "Sum" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        x.sum(alongAxis: x.shape.normalizedAxis(axis, op: "sum(dim:)"))
    }

    @inlinable
    public func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S> {
        let axis = inputShape.normalizedAxis(axis, op: "sum(dim:)")
        return gradient.repeated(alongNewAxis: axis, count: inputShape[axis])
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        value(tangent)
    }
}

/// The mean along one axis, which the result no longer has (`MeanBackward`).
public struct MeanAlongAxis: ShapeOnlyReverseRule {
    /// The axis averaged over, as given (possibly negative).
    public let axis: Int
    /// The operation along `axis` (negative counts from the end).
    public init(axis: Int) { self.axis = axis }
    public var name: String { "Mean" }

    @inlinable
    public func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> {
        let axis = x.shape.normalizedAxis(axis, op: "mean(dim:)")
        let count = S(Double(x.shape[axis]))
        return x.sum(alongAxis: axis).map { $0 / count }
    }

    @inlinable
    public func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S> {
        let axis = inputShape.normalizedAxis(axis, op: "mean(dim:)")
        let count = S(Double(inputShape[axis]))
        return gradient.map { $0 / count }.repeated(alongNewAxis: axis, count: inputShape[axis])
    }

    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        value(tangent)
    }
}
