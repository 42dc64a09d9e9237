import RealModule

// Arithmetic between a tensor and a `Double` constant, which the op keeps as
// its parameter (so a replay converts it to the replay's scalar type).

/// `x + c` (`AddBackward`).
public struct AddScalar: ElementwiseOperation {
    /// The constant added.
    public let constant: Double
    /// The operation with its constant.
    public init(_ constant: Double) { self.constant = constant }
    public var name: String { "Add" }
    /// The reverse rule reads neither value.
    public static var reverseRuleReads: ReverseRuleReads { [] }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x + S(constant) }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { 1 }
    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        gradient
    }
}

/// `x − c` (`SubBackward`).
public struct SubtractScalar: ElementwiseOperation {
    /// The constant subtracted.
    public let constant: Double
    /// The operation with its constant.
    public init(_ constant: Double) { self.constant = constant }
    public var name: String { "Sub" }
    /// The reverse rule reads neither value.
    public static var reverseRuleReads: ReverseRuleReads { [] }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x - S(constant) }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { 1 }
    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        gradient
    }
}

/// `c − x` (`RsubBackward`).
public struct SubtractFromScalar: ElementwiseOperation {
    /// The constant that `x` is subtracted from.
    public let constant: Double
    /// The operation with its constant.
    public init(_ constant: Double) { self.constant = constant }
    public var name: String { "Rsub" }
    /// The reverse rule reads neither value.
    public static var reverseRuleReads: ReverseRuleReads { [] }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { S(constant) - x }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { -1 }
}

/// `x × c` or `c × x` (`MulBackward`).
public struct MultiplyScalar: ElementwiseOperation {
    /// The constant factor.
    public let constant: Double
    /// The operation with its constant.
    public init(_ constant: Double) { self.constant = constant }
    public var name: String { "Mul" }
    /// The reverse rule reads neither value.
    public static var reverseRuleReads: ReverseRuleReads { [] }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x * S(constant) }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { S(constant) }
}

/// `x ÷ c` (`DivBackward`); its rules divide by `c` rather than multiply by a
/// rounded `1/c`.
public struct DivideByScalar: ElementwiseOperation {
    /// The divisor.
    public let constant: Double
    /// The operation with its constant.
    public init(_ constant: Double) { self.constant = constant }
    public var name: String { "Div" }
    /// The reverse rule reads neither value.
    public static var reverseRuleReads: ReverseRuleReads { [] }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { x / S(constant) }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { 1 / S(constant) }
    @inlinable
    public func vjp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, gradient: TensorValue<S>) -> TensorValue<S> {
        let divisor = S(constant)
        return gradient.map { $0 / divisor }
    }
    @inlinable
    public func jvp<S: FieldScalar>(_ x: TensorValue<S>, output: TensorValue<S>, tangent: TensorValue<S>) -> TensorValue<S> {
        let divisor = S(constant)
        return tangent.map { $0 / divisor }
    }
}

/// `c ÷ x` (`DivBackward`), whose derivative `−c/x²` is computed as `−(c/x)/x`.
public struct DivideScalarBy: ElementwiseOperation {
    /// The dividend.
    public let constant: Double
    /// The operation with its constant.
    public init(_ constant: Double) { self.constant = constant }
    public var name: String { "Div" }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { S(constant) / x }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { -(output / x) }
}

/// `−x` (`NegBackward`).
public struct Negate: ElementwiseOperation {
    /// The operation; it has no parameters.
    public init() {}
    public var name: String { "Neg" }
    /// The reverse rule reads neither value.
    public static var reverseRuleReads: ReverseRuleReads { [] }
    @inlinable public func apply<S: FieldScalar>(_ x: S) -> S { -x }
    @inlinable public func derivative<S: FieldScalar>(at x: S, output: S) -> S { -1 }
}
