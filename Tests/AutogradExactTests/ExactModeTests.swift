import AutogradCore
import AutogradExact
import Testing

/// The exact strategy and the three-way cross-check on the lesson's loss.
@Suite struct ExactModeTests {
    func lessonLoss(_ shape: Shape, seed: UInt64) -> (loss: Tensor, predicted: Tensor) {
        var generator = SeededGenerator(seed: seed)
        let real = Tensor.rand(shape, using: &generator)
        let predicted = Tensor.rand(shape, requiresGrad: true, using: &generator)
        return ((predicted - real).pow(2).sum(), predicted)
    }

    /// On the lesson's loss the float gradient 2·fl(p − r) is the correctly
    /// rounded true gradient, so forward and reverse are both 0 ULP from exact.
    @Test(arguments: [(Shape([3, 8]), 0), ([3, 8], 1), ([3, 8], 2), ([10, 100], 3), ([1000], 4)] as [(Shape, UInt64)])
    func lessonLossThreeWayAgreement(shape: Shape, seed: UInt64) throws {
        let (loss, predicted) = lessonLoss(shape, seed: seed)
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
        #expect(exact.isExact && exact.exactness == "exact" && exact.branchDivergences.isEmpty)
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: [predicted])[0]
        let forward = try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]
        #expect(reverse.scalars == exact.tensors[0].scalars)
        #expect(forward.scalars == exact.tensors[0].scalars)
        guard case .rational(let values) = exact.values else { Issue.record("expected rationals"); return }
        #expect(values[0].shape == shape)
    }

    @Test func elementaryGraphsReplayInIntervals() throws {
        let x = Tensor([0.5, -1.5, 2, 10], requiresGrad: true)
        let y = (x.tanh() * x.exp()).sum()
        let exact = try ExactMode(precision: 300).gradient(of: y, withRespectTo: [x])
        #expect(!exact.isExact && exact.precision == 300 && exact.exactness == "correctly rounded (≤ 300 bits)")
        let reverse = try ReverseMode().gradient(of: y, withRespectTo: [x])[0]
        for (float, reference) in zip(reverse.scalars, exact.tensors[0].scalars) {
            #expect(abs(float - reference) <= 4 * reference.ulp)
        }
    }

    /// relu(x·x − (1 + 2⁻²⁹)) at x = 1 + 2⁻³⁰: the recorded input is 0, the
    /// exact one 2⁻⁶⁰, so the exact replay takes the other branch and says so.
    @Test func branchDivergenceIsReported() throws {
        let x = Tensor([1 + 0x1p-30, 3], requiresGrad: true)
        let y = (x * x - (1 + 0x1p-29)).relu().sum()
        let exact = try ExactMode().gradient(of: y, withRespectTo: [x])
        #expect(exact.branchDivergences.count == 1)
        let divergence = try #require(exact.branchDivergences.first)
        #expect(divergence.operation == "ReluBackward" && divergence.element == 0 && divergence.recorded == 0)
        #expect(divergence.exact == "1/1152921504606846976")
        #expect(exact.tensors[0].scalars == [2 * (1 + 0x1p-30), 6])   // the exact branch's gradient
    }

    @Test func badInputsAreTypedErrors() throws {
        let x = Tensor([1.0, .nan], requiresGrad: true)
        let nanError = #expect(throws: ExactError.self) {
            try ExactMode().gradient(of: (x * 2).sum(), withRespectTo: [x])
        }
        #expect(nanError?.isNotFiniteNaN == true)
        let y = Tensor([2.0], requiresGrad: true)
        #expect(throws: ExactError.exponentTooLarge(exponent: 100_000, limit: 4096)) {
            try ExactMode().gradient(of: y.pow(100_000).sum(), withRespectTo: [y])
        }
        let z = Tensor([-1.0, 2], requiresGrad: true)
        let logError = #expect(throws: ExactError.self) {
            try ExactMode().gradient(of: z.log().sum(), withRespectTo: [z])
        }
        #expect(logError == .outsideDomain(function: "log", argument: "-1.0000000000000000e0"))
        let sqrtError = #expect(throws: ExactError.self) {
            try ExactMode().gradient(of: (z - 3).sqrt().sum(), withRespectTo: [z])
        }
        #expect(sqrtError == .outsideDomain(function: "sqrt", argument: "-4.0000000000000000e0"))
        #expect(throws: AutogradError.nonScalarBackward(shape: [2])) {
            try ExactMode().gradient(of: z * 2, withRespectTo: [z])
        }
        // A loss built in a no-grad scope has no gradient, as in backward().
        let noGrad = withNoGrad { (z * z).sum() }
        #expect(throws: AutogradError.doesNotRequireGrad) { try ExactMode().gradient(of: noGrad, withRespectTo: [z]) }
        // Precisions MPFR cannot take, or too low to round to a Double.
        for (precision, maximum, bad) in [(0, 4096, 0), (1, 4096, 1), (256, 100_000, 100_000), (Int.max, 4096, Int.max)] {
            #expect(throws: ExactError.precisionOutOfRange(precision: bad, range: 53...65_536)) {
                try ExactMode(precision: precision, maximumPrecision: maximum).gradient(of: z.exp().sum(), withRespectTo: [z])
            }
        }
    }

    /// Where the function divides by zero, the exact strategy throws a typed
    /// error naming the op (the tape gives ±inf or NaN), never traps.
    @Test func divisionByZeroIsATypedErrorNamingTheOp() throws {
        let x = Tensor([0.0, 2], requiresGrad: true)
        let cases: [(String, (Tensor) -> Tensor, String)] = [
            ("1/x", { 1 / $0 }, "DivBackward"),
            ("x/(x - x)", { $0 / ($0 - $0) }, "DivBackward"),
            ("pow(x, -1)", { $0.pow(-1) }, "PowBackward"),
            ("relu(x)/x", { $0.relu() / $0 }, "DivBackward"),
            ("x/0", { $0 / 0.0 }, "DivBackward"),
        ]
        for (label, function, operation) in cases {
            let loss = function(x).sum()
            #expect(throws: ExactError.divisionByZeroInOperation(operation), "\(label)") {
                try ExactMode().gradient(of: loss, withRespectTo: [x])
            }
            #expect(throws: ExactError.divisionByZeroInOperation(operation), "\(label), auditing") {
                try ExactMode().gradient(of: loss, withRespectTo: [x], auditing: true)
            }
        }
        // With elementary functions (an interval replay), the same error.
        #expect(throws: ExactError.divisionByZeroInOperation("DivBackward")) {
            try ExactMode().gradient(of: (x.exp() / x).sum(), withRespectTo: [x])
        }
        // The same at a point where it is defined: the exact gradient.
        let defined = Tensor([4.0, 2], requiresGrad: true)
        #expect(try ExactMode().gradient(of: (1 / defined).sum(), withRespectTo: [defined]).tensors[0].scalars == [-1.0 / 16, -0.25])
        #expect(ExactError.divisionByZeroInOperation("DivBackward").description
            == "DivBackward divides by zero: the exact function or its derivative is undefined at this input")
    }

    @Test func theFunctionAPI() throws {
        let exact = try ExactMode().gradient(at: [Tensor([1.5, -2])], of: { ($0[0] * $0[0] * $0[0]).sum() })
        #expect(exact.tensors[0].scalars == [6.75, 12])
    }
}

extension ExactError {
    /// NaN is not equal to itself, so tests compare this instead.
    var isNotFiniteNaN: Bool { if case .notFinite(let value) = self { value.isNaN } else { false } }
}
