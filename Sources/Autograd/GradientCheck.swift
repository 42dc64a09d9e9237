import AutogradCore
import AutogradExact

/// The element of a gradient that is furthest outside (or least inside) its
/// bound: where a verdict points a user.
public struct WorstElement: Codable, Sendable, Equatable {
    /// The input's position among the function's inputs.
    public let input: Int
    /// The input's name, where the check was given names.
    public let inputName: String?
    /// The element's row-major position in that input.
    public let element: Int
    /// The strategy's value.
    public let computed: Double
    /// The true value, correctly rounded (the enclosure's midpoint when unresolved).
    public let truth: Double
    /// The error in ULPs of the true value; `nil` when the true value is
    /// unresolved (the error is then only absolute).
    public let errorULP: Double?
    /// The absolute error (for an unresolved truth: the distance to its enclosure).
    public let error: Double
    /// The element's bound on the rounding error, absolute.
    public let bound: Double
    /// The op whose rule was proven wrong (`"SoftplusBackward vjp"`), or
    /// whose roundings weigh most in the bound (`"TanhBackward (rounding)"`).
    public let operation: String?

    enum CodingKeys: String, CodingKey {
        case input, element, computed, truth, error, bound, operation
        case inputName = "input_name"
        case errorULP = "error_ulp"
    }
}

/// One line of the cross-check: how far a strategy's gradient of one function
/// is from the exact reference, and whether every element is within the bound
/// that the function's own condition gives for rounding errors.
public struct GradientCheckResult: Codable, Sendable {
    /// The function: `"lesson_loss"` or an op's name (`"exp"`, `"matmul"`...).
    public let function: String
    /// The strategy's name: `"forward"`, `"reverse"`, or one registered by the program.
    public let strategy: String
    /// The largest error over the resolved elements, in ULPs of the correctly rounded reference.
    public let maxULP: Double
    /// The mean error over the resolved elements, in ULPs.
    public let meanULP: Double
    /// `"exact"` (rationals), `"correctly rounded"` (every enclosure rounded
    /// to one `Double`) or `"unresolved"` (some elements only enclosed).
    public let reference: String
    /// The largest precision in bits the enclosures needed, `nil` for an exact reference.
    public let precision: Int?
    /// The number of elements whose true value is only enclosed.
    public let unresolvedElements: Int
    /// The bound checked, in words.
    public let bound: String
    /// The element furthest outside, or least inside, its bound.
    public let worst: WorstElement?
    /// Rules of the function's ops that the reference proved wrong, in words.
    public let ruleFindings: [String]
    /// Where a `relu` or `abs` saw an input whose exact value is on the other
    /// side of its kink than the rounded one (or undecided), in words: there
    /// the float strategies differentiate another branch than the truth's.
    public let branchDivergences: [String]
    /// Whether every element is within its bound.
    public let passed: Bool

    enum CodingKeys: String, CodingKey {
        case function, strategy, reference, precision, bound, worst, passed
        case maxULP = "max_ulp"
        case meanULP = "mean_ulp"
        case unresolvedElements = "unresolved_elements"
        case ruleFindings = "rule_findings"
        case branchDivergences = "branch_divergences"
    }
}

/// The three-way cross-check: forward and reverse gradients against the exact
/// reference (exact rationals, or MPFI enclosures proven correctly rounded), on
/// the lesson's loss (where both must be 0 ULP) and on every built-in op, on
/// seeded inputs spread over each op's whole domain.
///
/// Each element passes when its error is within its first-order bound on
/// rounding errors, computed from the function's own condition (see
/// `ExactMode.gradient(of:withRespectTo:auditing:)`): a correct gradient of a
/// long computation passes, a wrong rule fails by orders of magnitude. The
/// built-in ops' cases also keep a tight ULP bound, the measure of the ops'
/// own accuracy.
///
/// ```swift
/// let results = try GradientCheck.run(seed: 0)
/// results.allSatisfy(\.passed)
/// ```
public enum GradientCheck {
    /// One function to check: a loss of leaves built from seeded inputs.
    struct Case {
        let name: String
        let inputs: [Tensor]
        var inputNames: [String]? = nil
        let loss: ([Tensor]) -> Tensor
        /// A tight bound on the error in ULPs, the accuracy of a built-in op,
        /// checked besides the condition's bound; `nil` for none.
        var ulps: Double?
    }

    /// The strategies checked unless told otherwise: forward and reverse mode.
    public static var floatStrategies: [any Differentiable] { [ForwardMode(), ReverseMode()] }

    /// The largest `size` that ``run(seed:size:precision:maximumPrecision:maximumULPs:strategies:)``
    /// accepts: the exact reference keeps every element of every function, so
    /// larger sizes would take more memory than a machine has, and hours.
    ///
    /// ```swift
    /// try GradientCheck.run(size: GradientCheck.maximumSize + 1)   // throws .sizeTooLarge
    /// ```
    public static let maximumSize = 1_000_000

    /// Runs the check on `size` elements per input (24 by default, the
    /// lesson's 3×8; rounded up to a multiple of 8) for each of `strategies`,
    /// with enclosures from `precision` up to `maximumPrecision` bits. `maximumULPs` caps every
    /// built-in op's ULP bound: ops with a tighter proven bound (0 or 1 ULP)
    /// keep theirs. The cost is linear in `size`: `matmul` multiplies a
    /// (size/8)×8 matrix by an 8×8 one. Throws ``GradientCheckError/invalidSize(_:)``
    /// unless `size` is positive, ``GradientCheckError/sizeTooLarge(_:limit:)``
    /// above ``maximumSize``.
    ///
    /// ```swift
    /// let results = try GradientCheck.run(seed: 1, strategies: [ForwardMode()])
    /// ```
    public static func run(
        seed: UInt64 = 0, size: Int = 24, precision: Int = 256, maximumPrecision: Int = 4096, maximumULPs: Double = 4,
        strategies: [any Differentiable] = floatStrategies
    ) throws -> [GradientCheckResult] {
        let reference = ExactMode(precision: precision, maximumPrecision: maximumPrecision)
        return try cases(seed: seed, size: validated(size: size)).flatMap { check in
            var check = check
            check.ulps = check.ulps.map { min($0, maximumULPs) }
            return try self.check(check, reference: reference, strategies: strategies)
        }
    }

    /// The functions that ``run(seed:size:precision:maximumPrecision:maximumULPs:strategies:)``
    /// checks at `size`, in its order, each with its inputs' shapes: what a
    /// check of that size holds. Every input has at most `size` elements
    /// (rounded up to a multiple of 8), but for matmul's 8×8 second factor.
    /// Throws as `run` does on a size out of range.
    ///
    /// ```swift
    /// let matmul = try GradientCheck.functions(size: 24).first { $0.name == "matmul" }!
    /// matmul.inputShapes   // [[3, 8], [8, 8]]
    /// ```
    public static func functions(seed: UInt64 = 0, size: Int = 24) throws(GradientCheckError) -> [(name: String, inputShapes: [Shape])] {
        cases(seed: seed, size: try validated(size: size)).map { ($0.name, $0.inputs.map(\.shape)) }
    }

    /// `size` rounded up to a multiple of 8; throws unless it is from 1 to ``maximumSize``.
    static func validated(size: Int) throws(GradientCheckError) -> Int {
        guard size > 0 else { throw .invalidSize(size) }
        guard size <= maximumSize else { throw .sizeTooLarge(size, limit: maximumSize) }
        return (size + 7) / 8 * 8
    }

    /// Checks any function, such as one using a custom op: the gradients of
    /// `loss` at `inputs` by each of `strategies` (forward and reverse mode
    /// unless told otherwise) against the exact reference (`reference`), each element
    /// within its rounding-error bound from the function's condition and, when
    /// `ulps` is given, also within that many ULPs. `names` name the inputs in
    /// the verdict. The function is traced: constants computed inside it are
    /// part of it, computed exactly by the reference.
    ///
    /// ```swift
    /// let results = try GradientCheck.check("softplus", inputs: [x]) { $0[0].softplus().sum() }
    /// results.allSatisfy(\.passed)
    /// results[0].worst   // the element closest to (or furthest beyond) its bound
    /// ```
    public static func check(
        _ name: String, inputs: [Tensor], names: [String]? = nil, ulps: Double? = nil,
        reference: ExactMode = ExactMode(), strategies: [any Differentiable] = floatStrategies,
        loss: @escaping ([Tensor]) -> Tensor
    ) throws -> [GradientCheckResult] {
        try check(Case(name: name, inputs: inputs, inputNames: names, loss: loss, ulps: ulps), reference: reference, strategies: strategies)
    }

    /// One function's results, one per strategy.
    static func check(_ check: Case, reference: ExactMode, strategies: [any Differentiable]) throws -> [GradientCheckResult] {
        let (leaves, loss) = Tensor.trace(at: check.inputs, of: check.loss)
        let exact = try reference.gradient(of: loss, withRespectTo: leaves, auditing: true)
        let bounds = exact.roundingBounds!
        return try strategies.map { strategy in
            let computed = try strategy.gradient(of: loss, withRespectTo: leaves).tensors
            guard computed.count == leaves.count, zip(computed, leaves).allSatisfy({ $0.shape == $1.shape }) else {
                throw GradientCheckError.wrongGradientCount(
                    strategy: strategy.name, expected: leaves.map(\.shape), got: computed.map(\.shape)
                )
            }
            let findings = exact.ruleFindings.filter { finding in
                switch strategy.name {
                case "forward": finding.rule == "jvp"
                case "reverse": finding.rule == "vjp"
                default: true
                }
            }
            let blame = findings.first.map { "\($0.operation) \($0.rule)" }
                ?? exact.largestRoundingSource.map { "\($0) (rounding)" }
            var ulpErrors: [Double] = []
            var passed = true
            var worst: (ratio: Double, element: WorstElement)?
            for input in leaves.indices {
                let values = computed[input].scalars, truths = exact.tensors[input].scalars
                for element in values.indices {
                    let value = values[element], truth = truths[element], bound = bounds[input][element]
                    let measured = ElementError(
                        computed: value, truth: truth, status: exact.status(input: input, element: element), bound: bound,
                        unit: truth == 0 ? .leastNonzeroMagnitude : truth.ulp
                    )
                    let (error, ulp, allowed) = (measured.error, measured.ulp, measured.allowed)
                    var ok = measured.isWithinBound
                    if let ulp { ulpErrors.append(ulp); if let limit = check.ulps, ulp > limit { ok = false } }
                    passed = passed && ok
                    // Failing elements first, then the one closest to its bound.
                    let closeness = error == 0 ? 0 : (allowed == 0 ? .infinity : error / allowed)
                    let ratio = ok ? closeness : Swift.max(closeness, 1) + 1
                    if worst == nil || ratio > worst!.ratio {
                        worst = (ratio, WorstElement(
                            input: input, inputName: check.inputNames?[input], element: element, computed: value,
                            truth: truth, errorULP: ulp, error: error, bound: bound, operation: blame
                        ))
                    }
                }
            }
            let conditionBound = "rounding bound from the condition"
            return GradientCheckResult(
                function: check.name, strategy: strategy.name,
                maxULP: ulpErrors.max() ?? 0, meanULP: ulpErrors.isEmpty ? 0 : ulpErrors.reduce(0, +) / Double(ulpErrors.count),
                reference: exact.isExact ? "exact" : (exact.unresolvedCount == 0 ? "correctly rounded" : "unresolved"),
                precision: exact.precision, unresolvedElements: exact.unresolvedCount,
                bound: check.ulps.map { $0 == 0 ? "0 ulp" : "≤ \(Int($0)) ulp and \(conditionBound)" } ?? conditionBound,
                worst: worst?.element, ruleFindings: findings.map(\.description),
                branchDivergences: exact.branchDivergences.map(\.description), passed: passed
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
            Case(name: name, inputs: [input], loss: { op($0[0]).sum() }, ulps: bound)
        }
        let rows = size / 8, columns = 8
        // The product is (rows×8)·(8×8): its first factor and its result hold
        // `size` elements, the second 64, and it costs 8·size multiply-adds, so
        // the whole check stays linear in `size` (rows×rows would grow as size²).
        let a = uniform(-2, 2).reshape(rows, columns).detach()
        let b = uniform(-2, 2, count: columns * columns).reshape(columns, columns).detach()
        let weight = uniform(-2, 2).reshape(rows, columns).detach()
        let weightForProduct = uniform(-2, 2).reshape(rows, columns).detach()
        // Summed here, outside the functions: summed inside, their rounding
        // (which grows with `rows`) would weigh on `sum` and `mean`'s 1-ulp bounds.
        let rowWeights = weight.sum(dim: 1).detach(), columnWeights = weight.sum(dim: 0).detach()
        let lessonReal = uniform(0, 1), lessonPredicted = uniform(0, 1)
        let classes = (0..<rows).map { $0 % columns }
        return [
            Case(name: "lesson_loss", inputs: [lessonPredicted], loss: { ($0[0] - lessonReal).pow(2).sum() }, ulps: 0),
            Case(name: "add", inputs: [uniform(-10, 10), uniform(-10, 10)], loss: { (($0[0] + $0[1]) * weight.reshape(-1)).sum() }, ulps: 1),
            Case(name: "sub", inputs: [uniform(-10, 10), uniform(-10, 10)], loss: { (($0[0] - $0[1]) * weight.reshape(-1)).sum() }, ulps: 1),
            Case(name: "mul", inputs: [uniform(-10, 10), uniform(-10, 10)], loss: { ($0[0] * $0[1]).sum() }, ulps: 1),
            Case(name: "div", inputs: [uniform(-10, 10), signedLogUniform(1e-150, 1e150)], loss: { ($0[0] / $0[1]).sum() }, ulps: 4),
            elementwise("neg", uniform(-10, 10), bound: 0) { -$0 },
            elementwise("pow", signedLogUniform(1e-100, 1e100)) { $0.pow(3) },
            elementwise("pow_real", logUniform(1e-100, 1e100)) { $0.pow(2.5) },
            elementwise("exp", uniform(-740, 709)) { $0.exp() },
            elementwise("log", logUniform(0x1p-1062, 1e300)) { $0.log() },
            elementwise("log_near_1", uniform(1 - 1e-6, 1 + 1e-6)) { $0.log() },
            elementwise("sqrt", logUniform(0x1p-1062, 1e300)) { $0.sqrt() },
            elementwise("sin", uniform(-100, 100)) { $0.sin() },
            elementwise("cos", uniform(-100, 100)) { $0.cos() },
            elementwise("tanh", uniform(-20, 20)) { $0.tanh() },
            elementwise("tanh_wide", signedLogUniform(1e-300, 1e300)) { $0.tanh() },
            elementwise("sigmoid", uniform(-40, 40)) { $0.sigmoid() },
            elementwise("sigmoid_wide", uniform(-800, 800)) { $0.sigmoid() },
            elementwise("log1p", logUniform(0x1p-1062, 1e300)) { $0.log1p() },
            elementwise("log1p_negative", uniform(-1 + 1e-9, 0)) { $0.log1p() },
            elementwise("expm1", uniform(-745, 709)) { $0.expm1() },
            elementwise("expm1_near_0", signedLogUniform(1e-300, 1)) { $0.expm1() },
            elementwise("softplus", uniform(-800, 800)) { $0.softplus() },
            elementwise("abs", signedLogUniform(1e-3, 1e3), bound: 0) { $0.abs() },
            elementwise("relu", signedLogUniform(1e-3, 1e3), bound: 0) { $0.relu() },
            elementwise("clamp", uniform(-3, 3), bound: 0) { $0.clamp(min: -1, max: 2) },
            Case(name: "max", inputs: [uniform(-10, 10)], loss: { $0[0].max() }, ulps: 0),
            Case(name: "max_dim", inputs: [uniform(-10, 10)], loss: { ($0[0].reshape(rows, columns).max(dim: 1) * rowWeights).sum() }, ulps: 1),
            Case(name: "sum", inputs: [uniform(-10, 10)], loss: { ($0[0].reshape(rows, columns).sum(dim: 1) * rowWeights).sum() }, ulps: 1),
            Case(name: "mean", inputs: [uniform(-10, 10)], loss: { ($0[0].reshape(rows, columns).mean(dim: 0) * columnWeights).sum() }, ulps: 1),
            Case(name: "matmul", inputs: [a, b], loss: { ($0[0].matmul($0[1]) * weightForProduct).sum() },
                 ulps: nil),
            Case(name: "log_sum_exp", inputs: [uniform(-30, 30)], loss: { ($0[0].reshape(rows, columns).logSumExp(dim: 1) * rowWeights).sum() },
                 ulps: nil),
            Case(name: "cross_entropy", inputs: [uniform(-30, 30)], loss: { crossEntropy($0[0].reshape(rows, columns), targets: classes) },
                 ulps: nil),
            Case(name: "where", inputs: [uniform(-10, 10)], loss: { x in (Tensor.where(x[0].gt(0), x[0] * x[0], x[0]) * weight.reshape(-1)).sum() },
                 ulps: 1),
            Case(name: "narrow_cat", inputs: [uniform(-10, 10)], loss: { x in
                let matrix = x[0].reshape(rows, columns)
                return (Tensor.cat([matrix.narrow(dim: 1, start: 4, length: 4), matrix.narrow(dim: 1, start: 0, length: 4)], dim: 1) * weight).sum()
            }, ulps: 1),
        ]
    }
}
