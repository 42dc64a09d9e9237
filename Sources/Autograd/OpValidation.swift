import AutogradCore
import AutogradExact

/// What ``OpValidation`` found about an op's rules.
public struct OpValidationReport: CustomStringConvertible, Sendable {
    /// One element where a rule disagrees with what it should equal.
    public struct Mismatch: Sendable, CustomStringConvertible {
        /// `"shape"`, `"jvp"`, `"vjp"` or `"jvp·vjp dot product"`.
        public let rule: String
        /// Which input of the op (0 for a unary op).
        public let input: Int
        /// The row-major position of the element (in the input for `vjp`, in the
        /// output for `jvp`; 0 for the dot product).
        public let element: Int
        /// What the rule gave.
        public let got: String
        /// What it should be.
        public let expected: String

        public var description: String {
            "\(rule), input \(input), element \(element): got \(got), expected \(expected)"
        }
    }

    /// The op's name.
    public let operation: String
    /// `"exact"` (rationals) or `"approximate (256 bits)"` (big floats).
    public let reference: String
    /// Disagreements of the rules in exact (or big-float) arithmetic.
    public let mismatches: [Mismatch]
    /// The largest error of the `Double` rules against the reference, in ULPs.
    public let floatJVPError: Double
    /// The largest error of the `Double` reverse rule, in ULPs.
    public let floatVJPError: Double
    /// The bound on the `Double` rules' errors, in ULPs.
    public let floatBound: Double

    /// Whether the rules agree and the `Double` rules are within their bound.
    public var passed: Bool {
        mismatches.isEmpty && floatJVPError <= floatBound && floatVJPError <= floatBound
    }

    public var description: String {
        var lines = ["\(operation): \(passed ? "valid" : "INVALID") (reference \(reference))"]
        lines += mismatches.prefix(8).map { "  \($0)" }
        if mismatches.count > 8 { lines.append("  ... and \(mismatches.count - 8) more") }
        lines.append("  Double rules: jvp \(floatJVPError) ulp, vjp \(floatVJPError) ulp (bound \(floatBound) ulp)")
        return lines.joined(separator: "\n")
    }
}

/// Proves a custom op's rules right with the exact backend, on seeded inputs
/// (after checking that its shape rule gives its value's shape):
///
/// 1. its jvp and vjp agree: the dot-product test ⟨v, J·u⟩ = ⟨Jᵀ·v, u⟩,
///    evaluated exactly in `Rational` for a field op (no tolerance), in
///    `BigFloat` for an elementary one;
/// 2. both rules agree with the derivative of the op's value formula, computed
///    by dual numbers over the same exact scalars, element by element: exactly
///    for field ops; within 2⁻⁽ᵖʳᵉᶜⁱˢⁱᵒⁿ⁻¹⁶⁾ relative for big floats;
/// 3. its `Double` rules are within `floatBound` ULPs of the true J·u and
///    Jᵀ·v (from the dual numbers), correctly rounded.
///
/// ```swift
/// let report = try OpValidation.validate(Softplus(), shape: [8], domain: -5...5)
/// report.passed          // true
/// print(report)          // names the rule, the input and the element that disagree
/// ```
public enum OpValidation {
    /// Validates an op of one tensor that needs only field arithmetic (exactly).
    public static func validate<Operation: UnaryOperation>(
        _ operation: Operation, shape: Shape = [8], domain: ClosedRange<Double> = -2...2,
        seed: UInt64 = 0, floatBound: Double = 8
    ) throws -> OpValidationReport {
        try validate(
            name: operation.name, shapes: [shape], domain: domain, seed: seed, floatBound: floatBound,
            reference: "exact", exact: { try $0.map { x throws(ExactError) in try Rational(exactly: x) } },
            rules: Rules<Rational>(operation), dualRules: Rules<Dual<Rational>>(operation), floatRules: Rules<Double>(operation),
            agree: { $0 == $1 }, describe: { $0.description }, round: { $0.doubleValue }
        )
    }

    /// Validates an op of one tensor with elementary functions, over big floats
    /// of `precision` bits.
    public static func validate<Operation: ElementaryUnaryOperation>(
        _ operation: Operation, shape: Shape = [8], domain: ClosedRange<Double> = -2...2,
        seed: UInt64 = 0, floatBound: Double = 8, precision: Int = 256
    ) throws -> OpValidationReport {
        try BigFloat.$defaultPrecision.withValue(precision) {
            try validate(
                name: operation.name, shapes: [shape], domain: domain, seed: seed, floatBound: floatBound,
                reference: "approximate (\(precision) bits)", exact: { $0.map { BigFloat($0) } },
                rules: Rules<BigFloat>(operation), dualRules: Rules<Dual<BigFloat>>(operation),
                floatRules: Rules<Double>(operation),
                agree: { a, b in
                    let scale = Swift.max(BigFloat(1), a.magnitude, b.magnitude)
                    return (a - b).magnitude <= scale * BigFloat.pow(BigFloat(2), 16 - precision)
                },
                describe: { $0.decimalDescription(digits: 20) }, round: { $0.doubleValue }
            )
        }
    }

    /// Validates an op of two tensors that needs only field arithmetic (exactly).
    public static func validate<Operation: BinaryOperation>(
        _ operation: Operation, shapes: (Shape, Shape) = ([8], [8]), domain: ClosedRange<Double> = -2...2,
        seed: UInt64 = 0, floatBound: Double = 8
    ) throws -> OpValidationReport {
        try validate(
            name: operation.name, shapes: [shapes.0, shapes.1], domain: domain, seed: seed, floatBound: floatBound,
            reference: "exact", exact: { try $0.map { x throws(ExactError) in try Rational(exactly: x) } },
            rules: Rules<Rational>(operation), dualRules: Rules<Dual<Rational>>(operation), floatRules: Rules<Double>(operation),
            agree: { $0 == $1 }, describe: { $0.description }, round: { $0.doubleValue }
        )
    }

    /// An op's three rules over one scalar type, whatever the op's kind.
    struct Rules<S: FieldScalar> {
        let shape: ([Shape]) -> Shape
        let value: ([TensorValue<S>]) -> TensorValue<S>
        let jvp: ([TensorValue<S>], TensorValue<S>, [TensorValue<S>]) -> TensorValue<S>
        let vjp: ([TensorValue<S>], TensorValue<S>, TensorValue<S>, Int) -> TensorValue<S>

        init(_ operation: some UnaryOperation) {
            shape = { operation.outputShape(for: $0[0]) }
            value = { operation.value($0[0]) }
            jvp = { x, y, tangents in operation.jvp(x[0], output: y, tangent: tangents[0]) }
            vjp = { x, y, gradient, _ in operation.vjp(x[0], output: y, gradient: gradient) }
        }

        init(_ operation: some ElementaryUnaryOperation) where S: ElementaryScalar {
            shape = { operation.outputShape(for: $0[0]) }
            value = { operation.value($0[0]) }
            jvp = { x, y, tangents in operation.jvp(x[0], output: y, tangent: tangents[0]) }
            vjp = { x, y, gradient, _ in operation.vjp(x[0], output: y, gradient: gradient) }
        }

        init(_ operation: some BinaryOperation) {
            shape = { operation.outputShape($0[0], $0[1]) }
            value = { operation.value($0[0], $0[1]) }
            jvp = { x, y, tangents in operation.jvp(x[0], x[1], output: y, tangents: (tangents[0], tangents[1])) }
            vjp = { x, y, gradient, input in
                operation.vjp(x[0], x[1], output: y, gradient: gradient, wrt: input == 0 ? .left : .right)
            }
        }
    }

    /// The three checks, over the exact scalar `S`.
    static func validate<S: FieldScalar>(
        name: String, shapes: [Shape], domain: ClosedRange<Double>, seed: UInt64, floatBound: Double,
        reference: String, exact: (TensorValue<Double>) throws -> TensorValue<S>,
        rules: Rules<S>, dualRules: Rules<Dual<S>>, floatRules: Rules<Double>,
        agree: (S, S) -> Bool, describe: (S) -> String, round: (S) -> Double
    ) throws -> OpValidationReport {
        var generator = SeededGenerator(seed: seed)
        func sample(_ shape: Shape, _ range: ClosedRange<Double>) -> TensorValue<Double> {
            TensorValue(shape: shape, scalars: (0..<shape.elementCount).map { _ in
                range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnit()
            })
        }
        let floatInputs = shapes.map { sample($0, domain) }
        let inputs = try floatInputs.map(exact)
        let output = rules.value(inputs)
        let floatTangents = shapes.map { sample($0, -1...1) }
        let floatCotangent = sample(output.shape, -1...1)
        let tangents = try floatTangents.map(exact)
        let cotangent = try exact(floatCotangent)
        var mismatches: [OpValidationReport.Mismatch] = []

        // 0. The shape rule gives the value's shape.
        let ruleShape = rules.shape(shapes)
        if ruleShape != output.shape {
            mismatches.append(.init(rule: "shape", input: 0, element: 0,
                                    got: "\(ruleShape)", expected: "\(output.shape)"))
        }

        // 1. ⟨v, J·u⟩ = ⟨Jᵀ·v, u⟩.
        let forward = rules.jvp(inputs, output, tangents)
        let reverse = inputs.indices.map { rules.vjp(inputs, output, cotangent, $0) }
        let left = zip(cotangent.scalars, forward.scalars).reduce(S.zero) { $0 + $1.0 * $1.1 }
        let right = zip(reverse, tangents).reduce(S.zero) { sum, pair in
            zip(pair.0.scalars, pair.1.scalars).reduce(sum) { $0 + $1.0 * $1.1 }
        }
        if !agree(left, right) {
            mismatches.append(.init(rule: "jvp·vjp dot product", input: 0, element: 0,
                                    got: "⟨v, J·u⟩ = \(describe(left))", expected: "⟨Jᵀ·v, u⟩ = \(describe(right))"))
        }

        // 2. Each rule against the value formula's derivative, by dual numbers.
        // J's columns also give the true J·u and Jᵀ·v for check 3.
        let constants = inputs.map { $0.map(Dual<S>.init(constant:)) }
        var trueForward = [S](repeating: .zero, count: output.elementCount)
        var trueReverse: [[S]] = []
        for (input, x) in inputs.enumerated() {
            var fromColumns = [S](repeating: .zero, count: x.elementCount)
            for element in 0..<x.elementCount {
                var seeded = constants
                seeded[input] = x.mapIndexed { position, value in Dual(value, tangent: position == element ? 1 : 0) }
                let column = dualRules.value(seeded).map(\.tangent)
                let oneHot = inputs.indices.map { k in
                    TensorValue(shape: inputs[k].shape, scalars: (0..<inputs[k].elementCount).map {
                        k == input && $0 == element ? S(1) : S.zero
                    })
                }
                let byRule = rules.jvp(inputs, output, oneHot)
                for (position, (got, expected)) in zip(byRule.scalars, column.scalars).enumerated() where !agree(got, expected) {
                    mismatches.append(.init(rule: "jvp", input: input, element: position,
                                            got: describe(got), expected: describe(expected)))
                }
                fromColumns[element] = zip(cotangent.scalars, column.scalars).reduce(S.zero) { $0 + $1.0 * $1.1 }
                let along = tangents[input].scalars[element]
                for position in trueForward.indices { trueForward[position] += column.scalars[position] * along }
            }
            trueReverse.append(fromColumns)
            for (element, (got, expected)) in zip(reverse[input].scalars, fromColumns).enumerated() where !agree(got, expected) {
                mismatches.append(.init(rule: "vjp", input: input, element: element,
                                        got: describe(got), expected: describe(expected)))
            }
        }

        // 3. The Double rules against the true J·u and Jᵀ·v, correctly rounded, in ULPs.
        let floatOutput = floatRules.value(floatInputs)
        let floatForward = floatRules.jvp(floatInputs, floatOutput, floatTangents)
        let jvpError = zip(floatForward.scalars, trueForward).map { ulps($0, round($1)) }.max() ?? 0
        let vjpError = inputs.indices.map { k in
            zip(floatRules.vjp(floatInputs, floatOutput, floatCotangent, k).scalars, trueReverse[k])
                .map { ulps($0, round($1)) }.max() ?? 0
        }.max() ?? 0
        return OpValidationReport(
            operation: name, reference: reference, mismatches: mismatches,
            floatJVPError: jvpError, floatVJPError: vjpError, floatBound: floatBound
        )
    }

    /// The distance from `x` to `reference` in ULPs of `reference`.
    static func ulps(_ x: Double, _ reference: Double) -> Double {
        GradientCheck.ulps(x, reference)
    }
}
