import AutogradCore

// Evaluating a recorded op over any scalar, by its value formula or by its
// rules, whichever protocol it conforms to. The exact reference calls these
// over its own scalar, over dual numbers of it (first derivatives) and over
// duals of duals (second derivatives, for the rounding-error bound).

/// How the exact reference applies elementary-function ops, whose formulas
/// need `exp`, `log`..., over its scalar `S` and over dual numbers of `S`:
/// with the ops themselves when `S` has elementary functions (intervals), or
/// by refusing (rationals).
struct ElementaryEvaluation<S: FieldScalar> {
    let value: (any ElementaryUnaryOperation, TensorValue<S>) throws -> TensorValue<S>
    let dualValue: (any ElementaryUnaryOperation, TensorValue<Dual<S>>) throws -> TensorValue<Dual<S>>
    let secondOrderValue: (any ElementaryUnaryOperation, TensorValue<Dual<Dual<S>>>) throws -> TensorValue<Dual<Dual<S>>>
    let vjp: (any ElementaryUnaryOperation, TensorValue<S>, TensorValue<S>, TensorValue<S>) throws -> TensorValue<S>
    let jvp: (any ElementaryUnaryOperation, TensorValue<S>, TensorValue<S>, TensorValue<S>) throws -> TensorValue<S>
    /// An element-wise op's value and partial derivative, from its scalar function over duals.
    let valueAndPartial: (any ElementwiseElementaryOperation, TensorValue<S>) throws -> (value: TensorValue<S>, partial: TensorValue<S>)

    /// For field-only scalars: every elementary op is refused.
    static var fieldOnly: ElementaryEvaluation {
        func refuse(_ operation: any ElementaryUnaryOperation) -> AutogradError {
            .requiresElementaryFunctions(operation: operation.name)
        }
        return ElementaryEvaluation(
            value: { operation, _ in throw refuse(operation) },
            dualValue: { operation, _ in throw refuse(operation) },
            secondOrderValue: { operation, _ in throw refuse(operation) },
            vjp: { operation, _, _, _ in throw refuse(operation) },
            jvp: { operation, _, _, _ in throw refuse(operation) },
            valueAndPartial: { operation, _ in throw refuse(operation) }
        )
    }
}

extension ElementaryEvaluation where S: ElementaryScalar {
    /// For scalars with elementary functions: the ops' own formulas and rules.
    static var elementary: ElementaryEvaluation {
        ElementaryEvaluation(
            value: { operation, x in builtInElementaryValue(operation, x) ?? operation.value(x) },
            dualValue: { operation, x in builtInElementaryValue(operation, x) ?? operation.value(x) },
            secondOrderValue: { operation, x in builtInElementaryValue(operation, x) ?? operation.value(x) },
            vjp: { operation, x, y, gradient in operation.vjp(x, output: y, gradient: gradient) },
            jvp: { operation, x, y, tangent in operation.jvp(x, output: y, tangent: tangent) },
            valueAndPartial: { operation, x in elementaryValueAndPartial(operation, x) }
        )
    }
}

/// How the reference derives an op's partial derivatives.
enum Derivation {
    /// Each output element depends only on the input elements at its
    /// position: one evaluation over dual numbers per input gives every
    /// partial derivative, from the value formula alone.
    case elementwise
    /// Anything else (sums, reshapes, transposes, matrix products, custom
    /// ops): the reverse rule, proven on the spot by the dot-product test
    /// against the value formula over dual numbers.
    case general

    init(_ operation: any TensorOperation) {
        self = OperationConformances(of: operation).contains(.elementwise) ? .elementwise : .general
    }
}

/// The op's value formula applied to `inputs` over any scalar `D`.
///
/// The built-in field ops are matched by their concrete types first, so that
/// their (inlinable) formulas run specialised for `D`, as the tape's own
/// `Double` loops do, rather than through the generic witness of an
/// existential: the same code, many times faster over rationals and duals.
func evaluate<D: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<D>],
    elementary: (any ElementaryUnaryOperation, TensorValue<D>) throws -> TensorValue<D>
) throws -> TensorValue<D> {
    if let value = builtInValue(operation, inputs) { return value }
    return switch operation {
    case let operation as any UnaryOperation: operation.value(inputs[0])
    case let operation as any BinaryOperation: operation.value(inputs[0], inputs[1])
    case let operation as any ElementaryUnaryOperation: try elementary(operation, inputs[0])
    default: fatalError("\(operation.name) conforms to no operation protocol")
    }
}

/// The op's reverse rule for input `index`: the rule under test (specialised
/// for the built-in structural ops, as ``evaluate(_:_:elementary:)`` is).
func ruleVJP<S: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<S>], output: TensorValue<S>,
    gradient: TensorValue<S>, input index: Int, elementary: ElementaryEvaluation<S>
) throws -> TensorValue<S> {
    if let contribution = builtInVJP(operation, inputs, output: output, gradient: gradient, input: index) {
        return contribution
    }
    return switch operation {
    case let operation as any UnaryOperation:
        operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as any BinaryOperation:
        operation.vjp(inputs[0], inputs[1], output: output, gradient: gradient, wrt: index == 0 ? .left : .right)
    case let operation as any ElementaryUnaryOperation:
        try elementary.vjp(operation, inputs[0], output, gradient)
    default: fatalError("\(operation.name) conforms to no operation protocol")
    }
}

/// The op's forward rule: the rule under test.
func ruleJVP<S: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<S>], output: TensorValue<S>,
    tangents: [TensorValue<S>], elementary: ElementaryEvaluation<S>
) throws -> TensorValue<S> {
    switch operation {
    case let operation as any UnaryOperation:
        operation.jvp(inputs[0], output: output, tangent: tangents[0])
    case let operation as any BinaryOperation:
        operation.jvp(inputs[0], inputs[1], output: output, tangents: (tangents[0], tangents[1]))
    case let operation as any ElementaryUnaryOperation:
        try elementary.jvp(operation, inputs[0], output, tangents[0])
    default: fatalError("\(operation.name) conforms to no operation protocol")
    }
}

/// The value of a built-in field op, specialised for `D`; `nil` for any other op.
@inline(__always)
func builtInValue<D: FieldScalar>(_ operation: any TensorOperation, _ inputs: [TensorValue<D>]) -> TensorValue<D>? {
    switch operation {
    case let operation as Add: operation.value(inputs[0], inputs[1])
    case let operation as Subtract: operation.value(inputs[0], inputs[1])
    case let operation as Multiply: operation.value(inputs[0], inputs[1])
    case let operation as Divide: operation.value(inputs[0], inputs[1])
    case let operation as MatrixMultiply: operation.value(inputs[0], inputs[1])
    case let operation as IntegerPower: operation.value(inputs[0])
    case let operation as AddScalar: operation.value(inputs[0])
    case let operation as SubtractScalar: operation.value(inputs[0])
    case let operation as SubtractFromScalar: operation.value(inputs[0])
    case let operation as MultiplyScalar: operation.value(inputs[0])
    case let operation as DivideByScalar: operation.value(inputs[0])
    case let operation as DivideScalarBy: operation.value(inputs[0])
    case let operation as Negate: operation.value(inputs[0])
    case let operation as Absolute: operation.value(inputs[0])
    case let operation as Relu: operation.value(inputs[0])
    case let operation as Clamp: operation.value(inputs[0])
    case let operation as Sum: operation.value(inputs[0])
    case let operation as Mean: operation.value(inputs[0])
    case let operation as SumAlongAxis: operation.value(inputs[0])
    case let operation as MeanAlongAxis: operation.value(inputs[0])
    case let operation as Reshape: operation.value(inputs[0])
    case let operation as Transpose: operation.value(inputs[0])
    default: nil
    }
}

/// The value of a built-in elementary op, specialised for `D`; `nil` for any other op.
@inline(__always)
func builtInElementaryValue<D: ElementaryScalar>(_ operation: any ElementaryUnaryOperation, _ x: TensorValue<D>) -> TensorValue<D>? {
    switch operation {
    case let operation as Exp: operation.value(x)
    case let operation as Log: operation.value(x)
    case let operation as SquareRoot: operation.value(x)
    case let operation as Sine: operation.value(x)
    case let operation as Cosine: operation.value(x)
    case let operation as HyperbolicTangent: operation.value(x)
    case let operation as Sigmoid: operation.value(x)
    case let operation as RealPower: operation.value(x)
    case let operation as Log1p: operation.value(x)
    case let operation as Expm1: operation.value(x)
    case let operation as Softplus: operation.value(x)
    default: nil
    }
}

/// The reverse rule of a built-in op that is not element-wise (the built-in
/// structural ops, whose rules the reference relies on outside audits),
/// specialised for `S`; `nil` for any other op.
@inline(__always)
func builtInVJP<S: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<S>], output: TensorValue<S>,
    gradient: TensorValue<S>, input index: Int
) -> TensorValue<S>? {
    switch operation {
    case let operation as Sum: operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as Mean: operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as SumAlongAxis: operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as MeanAlongAxis: operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as Reshape: operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as Transpose: operation.vjp(inputs[0], output: output, gradient: gradient)
    case let operation as MatrixMultiply:
        operation.vjp(inputs[0], inputs[1], output: output, gradient: gradient, wrt: index == 0 ? .left : .right)
    default: nil
    }
}

/// J·u by the value formula: the output's tangent when each input moves
/// along its tangent (`nil`: held constant), over dual numbers of `S`.
func directionalDerivative<S: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<S>], along tangents: [TensorValue<S>?],
    elementary: ElementaryEvaluation<S>
) throws -> TensorValue<S> {
    let duals = zip(inputs, tangents).map { value, tangent in
        tangent.map { TensorValue.broadcasting(value, $0, op: operation.name) { Dual($0, tangent: $1) } }
            ?? value.map(Dual.init(constant:))
    }
    return try evaluate(operation, duals, elementary: elementary.dualValue).map(\.tangent)
}

/// For an element-wise op: ∂z/∂aⱼ and, for each input l, ∂²z/∂aⱼ∂aₗ, element
/// by element in the output's shape, over duals of duals of `S`.
func elementwisePartials<S: FieldScalar>(
    _ operation: any TensorOperation, _ inputs: [TensorValue<S>], withRespectTo j: Int,
    elementary: ElementaryEvaluation<S>
) throws -> (first: TensorValue<S>, second: [TensorValue<S>]) {
    var first: TensorValue<S>?
    var second: [TensorValue<S>] = []
    for l in inputs.indices {
        let duals = inputs.indices.map { k in
            inputs[k].map { x in
                Dual(Dual(x, tangent: k == l ? 1 : 0), tangent: Dual(k == j ? 1 : 0, tangent: .zero))
            }
        }
        let output = try evaluate(operation, duals, elementary: elementary.secondOrderValue)
        if first == nil { first = output.map(\.tangent.value) }
        second.append(output.map(\.tangent.tangent))
    }
    return (first!, second)
}

/// `seed · partial` element by element, with a zero seed giving zero even
/// where the partial is not finite (the path contributes nothing).
func chainProduct<S: ReferenceScalar>(_ seed: TensorValue<S>, _ partial: TensorValue<S>) -> TensorValue<S> {
    TensorValue.broadcasting(seed, partial, op: "chain rule") { $0.isCertainlyZero ? .zero : $0 * $1 }
}

/// ⟨a, b⟩ = Σ aᵢbᵢ.
func dot<S: FieldScalar>(_ a: TensorValue<S>, _ b: TensorValue<S>) -> S {
    zip(a.scalars, b.scalars).reduce(S.zero) { $0 + $1.0 * $1.1 }
}
