/// A binary operation computed element by element after NumPy broadcasting:
/// each output element is a scalar function (`apply`) of the two operand
/// elements at its position (`+`, `−`, `×`, `÷`), and `value` applies it.
///
/// The exact reference relies on this to derive the op's partial derivatives
/// from its scalar function alone, by evaluating it over dual numbers,
/// instead of trusting its reverse rule. A custom binary op that is
/// element-wise conforms to it too; one that mixes elements (a matrix
/// product) must not.
///
/// ```swift
/// extension Hypot: BroadcastingElementwiseOperation {
///     func apply<S: FieldScalar>(_ x: S, _ y: S) -> S { ... }   // value() broadcasts it
/// }
/// ```
public protocol BroadcastingElementwiseOperation: BinaryOperation {
    /// The scalar function: the output element for operand elements `x` and `y`.
    func apply<S: FieldScalar>(_ x: S, _ y: S) -> S
}

extension Add: BroadcastingElementwiseOperation {
    /// `x + y`.
    @inlinable public func apply<S: FieldScalar>(_ x: S, _ y: S) -> S { x + y }
}

extension Subtract: BroadcastingElementwiseOperation {
    /// `x − y`.
    @inlinable public func apply<S: FieldScalar>(_ x: S, _ y: S) -> S { x - y }
}

extension Multiply: BroadcastingElementwiseOperation {
    /// `x × y`.
    @inlinable public func apply<S: FieldScalar>(_ x: S, _ y: S) -> S { x * y }
}

extension Divide: BroadcastingElementwiseOperation {
    /// `x ÷ y`.
    @inlinable public func apply<S: FieldScalar>(_ x: S, _ y: S) -> S { x / y }
}
