import AutogradCore
import AutogradExact

/// One line of the cross-check: how far a strategy's gradient of one function
/// is from the exact reference, in units in the last place.
public struct GradientCheckResult: Codable, Sendable {
    /// The function: `"lesson_loss"` or an op's name (`"exp"`, `"matmul"`...).
    public let function: String
    /// The strategy's name: `"forward"`, `"reverse"`, or one registered by the program.
    public let strategy: String
    /// The largest error over all elements, in ULPs of the correctly rounded reference.
    public let maxULP: Double
    /// The mean error, in ULPs.
    public let meanULP: Double
    /// `"exact"` (rationals) or `"approximate"` (big floats).
    public let reference: String
    /// The big floats' precision in bits, `nil` for an exact reference.
    public let precision: Int?
    /// The bound checked, in words.
    public let bound: String
    /// Whether every element is within the bound.
    public let passed: Bool

    enum CodingKeys: String, CodingKey {
        case function, strategy, reference, precision, bound, passed
        case maxULP = "max_ulp"
        case meanULP = "mean_ulp"
    }
}

/// The three-way cross-check: forward and reverse gradients against the exact
/// (GMP) or 256-bit (MPFR) reference, on the lesson's loss (where both must be
/// 0 ULP) and on every built-in op, on seeded inputs spread over each op's
/// domain, hard regions included.
///
/// ```swift
/// let results = try GradientCheck.run(seed: 0)
/// results.allSatisfy(\.passed)
/// ```
public enum GradientCheck {
    /// How a function's error is bounded.
    enum Bound {
        /// At most this many ULPs of the correctly rounded reference.
        case ulps(Double)
        /// A dot product's classical bound: |error| ≤ n·u·Σ|aᵢbᵢ| per element,
        /// given Σ|aᵢbᵢ| for each element.
        case dotProduct(length: Int, magnitudes: [Double])

        var description: String {
            switch self {
            case .ulps(let count): count == 0 ? "0 ulp" : "≤ \(Int(count)) ulp"
            case .dotProduct(let length, _): "≤ \(length)·u·Σ|aᵢbᵢ|"
            }
        }
    }

    /// One function to check: a loss of leaves built from seeded inputs.
    struct Case {
        let name: String
        let inputs: [Tensor]
        let loss: ([Tensor]) -> Tensor
        var bound: Bound
    }

    /// The strategies checked unless told otherwise: forward and reverse mode.
    public static var floatStrategies: [any Differentiable] { [ForwardMode(), ReverseMode()] }

    /// Runs the check on `size` elements per input (24 by default, the
    /// lesson's 3×8; rounded up to a multiple of 8) for each of `strategies`,
    /// replaying elementary functions at `precision` bits. `maximumULPs` caps
    /// every function's bound in ULPs: functions with a tighter proven bound
    /// (0 or 1 ULP) keep it; matmul keeps its dot-product bound.
    ///
    /// ```swift
    /// let results = try GradientCheck.run(seed: 1, strategies: [ForwardMode()])
    /// ```
    public static func run(
        seed: UInt64 = 0, size: Int = 24, precision: Int = 256, maximumULPs: Double = 4,
        strategies: [any Differentiable] = floatStrategies
    ) throws -> [GradientCheckResult] {
        try cases(seed: seed, size: max(8, (size + 7) / 8 * 8)).flatMap { check in
            var check = check
            if case .ulps(let bound) = check.bound { check.bound = .ulps(min(bound, maximumULPs)) }
            return try self.check(check, precision: precision, strategies: strategies)
        }
    }

    /// Checks any function, such as one using a custom op: the gradients of
    /// `loss` at `inputs` by each of `strategies` (forward and reverse mode
    /// unless told otherwise) against the exact reference, within `ulps` ULPs.
    ///
    /// ```swift
    /// let results = try GradientCheck.check("softplus", inputs: [x], ulps: 4) { $0[0].softplus().sum() }
    /// results.allSatisfy(\.passed)
    /// ```
    public static func check(
        _ name: String, inputs: [Tensor], ulps bound: Double = 4, precision: Int = 256,
        strategies: [any Differentiable] = floatStrategies, loss: @escaping ([Tensor]) -> Tensor
    ) throws -> [GradientCheckResult] {
        try check(Case(name: name, inputs: inputs, loss: loss, bound: .ulps(bound)), precision: precision, strategies: strategies)
    }

    /// One function's results, one per strategy.
    static func check(_ check: Case, precision: Int, strategies: [any Differentiable]) throws -> [GradientCheckResult] {
        let leaves = check.inputs.map { Tensor($0.value, requiresGrad: true) }
        let loss = check.loss(leaves)
        let exact = try ExactMode(precision: precision).gradient(of: loss, withRespectTo: leaves)
        let reference = exact.tensors.flatMap(\.scalars)
        return try strategies.map { strategy in
            let computed = try strategy.gradient(of: loss, withRespectTo: leaves).tensors.flatMap(\.scalars)
            let errors = zip(computed, reference).map { ulps($0, $1) }
            let passed: Bool
            switch check.bound {
            case .ulps(let limit):
                passed = errors.allSatisfy { $0 <= limit }
            case .dotProduct(let length, let magnitudes):
                let u = 0x1p-53
                passed = zip(zip(computed, reference), magnitudes).allSatisfy { pair, magnitude in
                    abs(pair.0 - pair.1) <= Double(length) * u * magnitude + pair.1.ulp / 2
                }
            }
            return GradientCheckResult(
                function: check.name, strategy: strategy.name,
                maxULP: errors.max() ?? 0, meanULP: errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count),
                reference: exact.isExact ? "exact" : "approximate", precision: exact.precision,
                bound: check.bound.description, passed: passed
            )
        }
    }

    /// The distance from `x` to `reference` in ULPs of `reference`.
    static func ulps(_ x: Double, _ reference: Double) -> Double {
        if x == reference { return 0 }
        guard x.isFinite, reference.isFinite else { return .infinity }
        return abs(x - reference) / (reference == 0 ? Double.leastNonzeroMagnitude : reference.ulp)
    }

    /// The functions checked, with seeded inputs over each op's domain.
    static func cases(seed: UInt64, size: Int) -> [Case] {
        var generator = SeededGenerator(seed: seed)
        /// `count` (by default `size`) values uniform in [low, high).
        func uniform(_ low: Double, _ high: Double, count: Int = size) -> Tensor {
            Tensor((0..<count).map { _ in low + (high - low) * generator.nextUnit() }, shape: [count])
        }
        /// `size` positive values spread log-uniformly over [low, high).
        func logUniform(_ low: Double, _ high: Double) -> Tensor {
            Tensor((0..<size).map { _ in Double.exp(Double.log(low) + (Double.log(high) - Double.log(low)) * generator.nextUnit()) }, shape: [size])
        }
        /// `size` values of either sign, magnitudes log-uniform over [low, high).
        func signedLogUniform(_ low: Double, _ high: Double) -> Tensor {
            let magnitudes = logUniform(low, high).scalars
            return Tensor(magnitudes.map { generator.nextUnit() < 0.5 ? -$0 : $0 }, shape: [size])
        }
        func elementwise(_ name: String, _ input: Tensor, bound: Double = 4, _ op: @escaping (Tensor) -> Tensor) -> Case {
            Case(name: name, inputs: [input], loss: { op($0[0]).sum() }, bound: .ulps(bound))
        }
        let rows = size / 8, columns = 8
        let a = uniform(-2, 2).reshape(rows, columns).detach(), b = uniform(-2, 2).reshape(columns, rows).detach()
        let weight = uniform(-2, 2).reshape(rows, columns).detach()
        let weightForProduct = uniform(-2, 2, count: rows * rows).reshape(rows, rows).detach()
        // ∂/∂A Σ (A·B)∘W = W·Bᵀ: each element a dot product of length `rows`.
        let productMagnitudes = withNoGrad { weightForProduct.abs().matmul(b.abs().transpose()) }.scalars
            + withNoGrad { a.abs().transpose().matmul(weightForProduct.abs()) }.scalars
        let lessonReal = uniform(0, 1), lessonPredicted = uniform(0, 1)
        return [
            Case(name: "lesson_loss", inputs: [lessonPredicted], loss: { ($0[0] - lessonReal).pow(2).sum() }, bound: .ulps(0)),
            Case(name: "add", inputs: [uniform(-10, 10), uniform(-10, 10)], loss: { (($0[0] + $0[1]) * weight.reshape(-1)).sum() }, bound: .ulps(1)),
            Case(name: "sub", inputs: [uniform(-10, 10), uniform(-10, 10)], loss: { (($0[0] - $0[1]) * weight.reshape(-1)).sum() }, bound: .ulps(1)),
            Case(name: "mul", inputs: [uniform(-10, 10), uniform(-10, 10)], loss: { ($0[0] * $0[1]).sum() }, bound: .ulps(1)),
            Case(name: "div", inputs: [uniform(-10, 10), signedLogUniform(1e-3, 1e3)], loss: { ($0[0] / $0[1]).sum() }, bound: .ulps(4)),
            elementwise("neg", uniform(-10, 10), bound: 0) { -$0 },
            elementwise("pow", uniform(-10, 10)) { $0.pow(3) },
            elementwise("pow_real", logUniform(1e-3, 1e3)) { $0.pow(2.5) },
            elementwise("exp", uniform(-700, 700)) { $0.exp() },
            elementwise("log", logUniform(1e-300, 1e300)) { $0.log() },
            elementwise("log_near_1", uniform(1 - 1e-6, 1 + 1e-6)) { $0.log() },
            elementwise("sqrt", logUniform(1e-300, 1e300)) { $0.sqrt() },
            elementwise("sin", uniform(-100, 100)) { $0.sin() },
            elementwise("cos", uniform(-100, 100)) { $0.cos() },
            elementwise("tanh", uniform(-20, 20)) { $0.tanh() },
            elementwise("sigmoid", uniform(-40, 40)) { $0.sigmoid() },
            elementwise("abs", signedLogUniform(1e-3, 1e3), bound: 0) { $0.abs() },
            elementwise("relu", signedLogUniform(1e-3, 1e3), bound: 0) { $0.relu() },
            Case(name: "sum", inputs: [uniform(-10, 10)], loss: { ($0[0].reshape(rows, columns).sum(dim: 1) * weight.sum(dim: 1)).sum() }, bound: .ulps(1)),
            Case(name: "mean", inputs: [uniform(-10, 10)], loss: { ($0[0].reshape(rows, columns).mean(dim: 0) * weight.sum(dim: 0)).sum() }, bound: .ulps(1)),
            Case(name: "matmul", inputs: [a, b], loss: { ($0[0].matmul($0[1]) * weightForProduct).sum() },
                 bound: .dotProduct(length: rows, magnitudes: productMagnitudes)),
        ]
    }
}
