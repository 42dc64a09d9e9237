/// Which recorded values a one-input op's reverse rule reads, so that the
/// graph keeps only those until the backward pass: with ``IntegerPower``
/// reading its input and ``Sum`` only its input's shape
/// (``ShapeOnlyReverseRule``), `(p - r).pow(2).sum()` keeps `p - r` and frees
/// its square as soon as the sum is computed.
///
/// It applies where the output has the input's shape (element-wise ops): a
/// value the rule does not read is not kept, and the rule receives the kept
/// one in its place (the input when it reads neither). For other ops both
/// are kept, whatever the declaration. A declaration that leaves out a value
/// the rule does read gives wrong gradients on the tape, which
/// `GradientCheck` reports: the exact reference does not use the rules.
///
/// ```swift
/// extension Square { static var reverseRuleReads: ReverseRuleReads { .input } }   // 2x·g reads x only
/// ```
public struct ReverseRuleReads: OptionSet, Sendable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The input's values (`x`).
    public static let input = ReverseRuleReads(rawValue: 1 << 0)
    /// The output's values.
    public static let output = ReverseRuleReads(rawValue: 1 << 1)
}

/// A one-input op whose reverse rule reads only its input's shape, never a
/// value (sums and means): the recorded graph keeps no values for it.
///
/// ```swift
/// extension Sum: ShapeOnlyReverseRule {
///     func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S> {
///         TensorValue(repeating: gradient[flat: 0], shape: inputShape)
///     }
/// }
/// ```
public protocol ShapeOnlyReverseRule: UnaryOperation {
    /// The reverse rule, from the shape of the input alone.
    func vjp<S: FieldScalar>(inputShape: Shape, gradient: TensorValue<S>) -> TensorValue<S>
}

extension ShapeOnlyReverseRule {
    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        vjp(inputShape: x.shape, gradient: gradient)
    }
}

/// An op of two tensors whose reverse rule reads only its operands' shapes
/// (``Add``, ``Subtract``): the recorded graph keeps no values for it, so
/// `(p - r).pow(2)` holds `p - r` in the square's node alone, and the
/// backward pass may overwrite it with the gradient.
///
/// ```swift
/// extension Add: ShapeOnlyBinaryReverseRule {
///     func vjp<S: FieldScalar>(leftShape: Shape, rightShape: Shape, gradient: TensorValue<S>,
///                              wrt operand: BinaryOperand) -> TensorValue<S> {
///         gradient.reduced(to: operand == .left ? leftShape : rightShape)
///     }
/// }
/// ```
public protocol ShapeOnlyBinaryReverseRule: BinaryOperation {
    /// The reverse rule for one operand, from the operands' shapes alone.
    func vjp<S: FieldScalar>(
        leftShape: Shape, rightShape: Shape, gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S>
}

extension ShapeOnlyBinaryReverseRule {
    @inlinable
    public func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S> {
        vjp(leftShape: x.shape, rightShape: y.shape, gradient: gradient, wrt: operand)
    }
}
