import RealModule

/// An operation that a graph records: its name and parameters.
///
/// A recorded graph is a program: each node keeps its operation (this value,
/// with its parameters, such as the exponent of `pow`) and its inputs, so any
/// strategy can evaluate the graph again over another scalar type.
/// Concrete operations conform to one of ``UnaryOperation``,
/// ``ElementaryUnaryOperation`` or ``BinaryOperation``, which say which layer of
/// the scalar protocol they need.
public protocol TensorOperation: Sendable, CustomStringConvertible {
    /// The op's name as its `gradFn` shows it: `"Add"` gives `AddBackward`.
    var name: String { get }
}

extension TensorOperation {
    public var description: String { name }
}

/// Which operand of a binary operation a vector-Jacobian product is for.
public enum BinaryOperand: Int, Sendable {
    /// The first operand, `x` in `x + y`.
    case left = 0
    /// The second operand, `y` in `x + y`.
    case right = 1
}

/// An operation of one tensor that needs only field arithmetic, so it runs over
/// every ``FieldScalar`` (exactly over rationals).
///
/// ```swift
/// struct Double_: UnaryOperation {   // y = 2x
///     var name: String { "Double" }
///     func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S> { x.map { $0 + $0 } }
///     func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> { gradient.map { $0 + $0 } }
///     func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> { tangent.map { $0 + $0 } }
/// }
/// ```
public protocol UnaryOperation: TensorOperation {
    /// The values of `x` and `output` that ``vjp(_:output:gradient:)`` reads
    /// (by default both): the recorded graph keeps only those, where the
    /// output has the input's shape (see ``ReverseRuleReads``).
    static var reverseRuleReads: ReverseRuleReads { get }
    /// The shape rule: the result's shape for an input of shape `input`.
    /// By default, the shape `value` gives on zeros; ops override it cheaply.
    func outputShape(for input: Shape) -> Shape
    /// The result; traps, naming the op, when `x`'s shape is not allowed.
    func value<S: FieldScalar>(_ x: TensorValue<S>) -> TensorValue<S>
    /// The reverse rule: the gradient with respect to `x` given the gradient of
    /// the output (`gradient · ∂output/∂x`).
    func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>
    ) -> TensorValue<S>
    /// The forward rule: the output's tangent given `x`'s tangent (`∂output/∂x · tangent`).
    func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>
    ) -> TensorValue<S>
}

/// An operation of one tensor that needs elementary functions (`exp`, `log`,
/// `sin`...), so it runs over every ``ElementaryScalar`` (over big floats, not
/// rationals, in the exact strategy).
public protocol ElementaryUnaryOperation: TensorOperation {
    /// The values of `x` and `output` that ``vjp(_:output:gradient:)`` reads
    /// (by default both): the recorded graph keeps only those, where the
    /// output has the input's shape (see ``ReverseRuleReads``).
    static var reverseRuleReads: ReverseRuleReads { get }
    /// The shape rule: the result's shape for an input of shape `input`.
    /// By default, the shape `value` gives on ones; ops override it cheaply.
    func outputShape(for input: Shape) -> Shape
    /// The result; traps, naming the op, when `x`'s shape is not allowed.
    func value<S: ElementaryScalar>(_ x: TensorValue<S>) -> TensorValue<S>
    /// The reverse rule: `gradient · ∂output/∂x`.
    func vjp<S: ElementaryScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>
    ) -> TensorValue<S>
    /// The forward rule: `∂output/∂x · tangent`.
    func jvp<S: ElementaryScalar>(
        _ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>
    ) -> TensorValue<S>
}

/// An operation of two tensors that needs only field arithmetic.
public protocol BinaryOperation: TensorOperation {
    /// The shape rule: the result's shape for operands of shapes `x` and `y`.
    /// By default, the shape `value` gives on ones; ops override it cheaply.
    func outputShape(_ x: Shape, _ y: Shape) -> Shape
    /// The result; traps, naming the op and both shapes, when they do not fit.
    func value<S: FieldScalar>(_ x: TensorValue<S>, _ y: TensorValue<S>) -> TensorValue<S>
    /// The reverse rule for one operand: `gradient · ∂output/∂operand`, in that
    /// operand's shape.
    func vjp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        gradient: TensorValue<S>, wrt operand: BinaryOperand
    ) -> TensorValue<S>
    /// The forward rule: the output's tangent given the operands' tangents
    /// (`nil` for an operand held constant).
    func jvp<S: FieldScalar>(
        _ x: TensorValue<S>, _ y: TensorValue<S>, output: TensorValue<S>,
        tangents: (x: TensorValue<S>?, y: TensorValue<S>?)
    ) -> TensorValue<S>
}

extension UnaryOperation {
    public static var reverseRuleReads: ReverseRuleReads { [.input, .output] }

    public func outputShape(for input: Shape) -> Shape {
        value(TensorValue<Double>(repeating: 1, shape: input)).shape
    }
}

extension ElementaryUnaryOperation {
    public static var reverseRuleReads: ReverseRuleReads { [.input, .output] }

    public func outputShape(for input: Shape) -> Shape {
        value(TensorValue<Double>(repeating: 1, shape: input)).shape
    }
}

extension BinaryOperation {
    public func outputShape(_ x: Shape, _ y: Shape) -> Shape {
        value(TensorValue<Double>(repeating: 1, shape: x), TensorValue<Double>(repeating: 1, shape: y)).shape
    }
}
