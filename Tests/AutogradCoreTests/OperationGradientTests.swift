import AutogradCore
import Foundation
import Testing

// The vector-Jacobian product of every built-in op, through the public API.
//
// Each case differentiates L = sum(op(x) * w) for seeded inputs x in the op's
// domain and a seeded standard-normal weight w (so the gradient flowing into
// the op is not all ones), and compares reverse mode with
//   (a) the hand-written gradient, |got − expected| ≤ 1e-12 · max(1, |expected|);
//   (b) central differences, h = 1e-6 · max(1, |xᵢ|), |got − fd| ≤ 1e-6 · max(1, |fd|).
// See GradientTestSupport.swift for the helpers and GradientTolerance.

@Suite
struct OperationGradientTests {
    /// Element-wise ops of one tensor: the gradient is w · f′(x).
    static let elementwiseCases: [GradientCase] = [
        .elementwise("-x", { -$0 }, derivative: { _ in -1 }),
        .elementwise("x + 1.5", { $0 + 1.5 }, derivative: { _ in 1 }),
        .elementwise("1.5 + x", { 1.5 + $0 }, derivative: { _ in 1 }),
        .elementwise("x - 1.5", { $0 - 1.5 }, derivative: { _ in 1 }),
        .elementwise("1.5 - x", { 1.5 - $0 }, derivative: { _ in -1 }),
        .elementwise("x * -2.5", { $0 * -2.5 }, derivative: { _ in -2.5 }),
        .elementwise("-2.5 * x", { -2.5 * $0 }, derivative: { _ in -2.5 }),
        .elementwise("x / 3", { $0 / 3 }, derivative: { _ in 1 / 3 }),
        .elementwise("2 / x", domain: .awayFromZero, { 2 / $0 }, derivative: { x in -2 / (x * x) }),
        .elementwise("x.pow(2)", { $0.pow(2) }, derivative: { x in 2 * x }),
        .elementwise("x.pow(3)", { $0.pow(3) }, derivative: { x in 3 * x * x }),
        .elementwise("x.pow(-1)", domain: .awayFromZero, { $0.pow(-1) }, derivative: { x in -1 / (x * x) }),
        .elementwise("x.pow(0)", { $0.pow(0) }, derivative: { _ in 0 }),
        .elementwise("x.pow(2.0)", { $0.pow(2.0) }, derivative: { x in 2 * x }),
        .elementwise("x.pow(0.5)", domain: .positive, { $0.pow(0.5) }, derivative: { x in 0.5 / x.squareRoot() }),
        .elementwise("x.pow(2.5)", domain: .positive, { $0.pow(2.5) }, derivative: { x in 2.5 * pow(x, 1.5) }),
        .elementwise("exp", { $0.exp() }, derivative: { x in exp(x) }),
        .elementwise("log", domain: .positive, { $0.log() }, derivative: { x in 1 / x }),
        .elementwise("sqrt", domain: .positive, { $0.sqrt() }, derivative: { x in 0.5 / x.squareRoot() }),
        .elementwise("sin", { $0.sin() }, derivative: { x in cos(x) }),
        .elementwise("cos", { $0.cos() }, derivative: { x in -sin(x) }),
        .elementwise("tanh", { $0.tanh() }, derivative: { x in 1 / (cosh(x) * cosh(x)) }),
        .elementwise("sigmoid", { $0.sigmoid() }, derivative: { x in exp(-x) / ((1 + exp(-x)) * (1 + exp(-x))) }),
        .elementwise("abs", domain: .awayFromZero, { $0.abs() }, derivative: { x in x > 0 ? 1 : -1 }),
        .elementwise("relu", domain: .awayFromZero, { $0.relu() }, derivative: { x in x > 0 ? 1 : 0 }),
    ]

    /// Reductions and shape ops of one tensor: each element's gradient is the
    /// weight of the output element(s) it went into.
    static let structuralCases: [GradientCase] = [
        .unary("sum()", shape: [3, 4], { $0.sum() }) { x, w in
            x.scalars.map { _ in w.item() }
        },
        .unary("sum(dim: 0)", shape: [3, 4], { $0.sum(dim: 0) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[1]]] }
        },
        .unary("sum(dim: 1)", shape: [3, 4], { $0.sum(dim: 1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[0]]] }
        },
        .unary("sum(dim: -1)", shape: [3, 4], { $0.sum(dim: -1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[0]]] }
        },
        .unary("sum(dim: 1) of [2,3,4]", shape: [2, 3, 4], { $0.sum(dim: 1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[0], $0[2]]] }
        },
        .unary("mean()", shape: [3, 4], { $0.mean() }) { x, w in
            x.scalars.map { _ in w.item() / 12 }
        },
        .unary("mean(dim: 0)", shape: [3, 4], { $0.mean(dim: 0) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[1]]] / 3 }
        },
        .unary("mean(dim: 1)", shape: [3, 4], { $0.mean(dim: 1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[0]]] / 4 }
        },
        .unary("mean(dim: -1) of [2,3,4]", shape: [2, 3, 4], { $0.mean(dim: -1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[0], $0[1]]] / 4 }
        },
        .unary("transpose() of [3,4]", shape: [3, 4], { $0.transpose() }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[1], $0[0]]] }
        },
        .unary("transpose(0, 1) of [2,3,4]", shape: [2, 3, 4], { $0.transpose(0, 1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[1], $0[0], $0[2]]] }
        },
        .unary("transpose(1, -1) of [2,3,4]", shape: [2, 3, 4], { $0.transpose(1, -1) }) { x, w in
            rowMajorIndices(x.shape).map { w.value[[$0[0], $0[2], $0[1]]] }
        },
        .unary("reshape(2, 6)", shape: [3, 4], { $0.reshape(2, 6) }) { _, w in w.scalars },
        .unary("reshape(-1)", shape: [3, 4], { $0.reshape(-1) }) { _, w in w.scalars },
        .unary("reshape(4, -1)", shape: [3, 4], { $0.reshape(4, -1) }) { _, w in w.scalars },
        .unary("reshape(6, -1) of [2,3,4]", shape: [2, 3, 4], { $0.reshape(6, -1) }) { _, w in w.scalars },
    ]

    /// Ops of two tensors, same shape and broadcasting: each gradient is
    /// w · ∂op/∂input summed back down to that input's shape.
    static let binaryCases: [GradientCase] = [
        .broadcasting("a + b", ([3, 4], .anywhere), ([3, 4], .anywhere), { $0 + $1 }, da: { _, _ in 1 }, db: { _, _ in 1 }),
        .broadcasting("a - b", ([3, 4], .anywhere), ([3, 4], .anywhere), { $0 - $1 }, da: { _, _ in 1 }, db: { _, _ in -1 }),
        .broadcasting("a * b", ([3, 4], .anywhere), ([3, 4], .anywhere), { $0 * $1 }, da: { _, b in b }, db: { a, _ in a }),
        .broadcasting("a / b", ([3, 4], .anywhere), ([3, 4], .awayFromZero), { $0 / $1 },
                      da: { _, b in 1 / b }, db: { a, b in -a / (b * b) }),
        .broadcasting("[3,1] + [1,4]", ([3, 1], .anywhere), ([1, 4], .anywhere), { $0 + $1 },
                      da: { _, _ in 1 }, db: { _, _ in 1 }),
        .broadcasting("[3,1] - [1,4]", ([3, 1], .anywhere), ([1, 4], .anywhere), { $0 - $1 },
                      da: { _, _ in 1 }, db: { _, _ in -1 }),
        .broadcasting("[3,4] * [4]", ([3, 4], .anywhere), ([4], .anywhere), { $0 * $1 },
                      da: { _, b in b }, db: { a, _ in a }),
        .broadcasting("[4] * [3,4]", ([4], .anywhere), ([3, 4], .anywhere), { $0 * $1 },
                      da: { _, b in b }, db: { a, _ in a }),
        .broadcasting("[2,3,4] * [3,1]", ([2, 3, 4], .anywhere), ([3, 1], .anywhere), { $0 * $1 },
                      da: { _, b in b }, db: { a, _ in a }),
        .broadcasting("[2,3] / []", ([2, 3], .anywhere), ([], .awayFromZero), { $0 / $1 },
                      da: { _, b in 1 / b }, db: { a, b in -a / (b * b) }),
        .broadcasting("[] / [2,3]", ([], .anywhere), ([2, 3], .awayFromZero), { $0 / $1 },
                      da: { _, b in 1 / b }, db: { a, b in -a / (b * b) }),
        .broadcasting("[2,1,4] / [3,1]", ([2, 1, 4], .anywhere), ([3, 1], .awayFromZero), { $0 / $1 },
                      da: { _, b in 1 / b }, db: { a, b in -a / (b * b) }),
        // L = sum((A·B) ∘ W): ∂L/∂A = W·Bᵀ, ∂L/∂B = Aᵀ·W.
        .binary("matmul [3,4] x [4,2]", [3, 4], [4, 2], { $0.matmul($1) }) { a, b, w in
            let gradA = rowMajorIndices(a.shape).map { i in
                (0..<2).reduce(0.0) { $0 + w.value[[i[0], $1]] * b.value[[i[1], $1]] }
            }
            let gradB = rowMajorIndices(b.shape).map { i in
                (0..<3).reduce(0.0) { $0 + a.value[[$1, i[0]]] * w.value[[$1, i[1]]] }
            }
            return [gradA, gradB]
        },
    ]

    static let allCases = elementwiseCases + structuralCases + binaryCases

    // (a) ReverseMode().gradient(of:withRespectTo:) and backward() both give
    // each input's hand-written gradient, shaped like the input.
    @Test(arguments: allCases)
    func matchesAnalyticGradient(_ testCase: GradientCase) throws {
        let (inputs, weight) = testCase.sample()
        let expected = testCase.analytic(inputs, weight)
        let (strategy, backward) = try reverseModeGradients(of: testCase.op, at: inputs, weight: weight)
        for k in inputs.indices {
            expectGradient(strategy[k], shape: inputs[k].shape, equals: expected[k],
                           tolerance: GradientTolerance.analytic, "\(testCase.name): ReverseMode, input \(k)")
            expectGradient(backward[k], shape: inputs[k].shape, equals: expected[k],
                           tolerance: GradientTolerance.analytic, "\(testCase.name): backward(), input \(k)")
        }
    }

    // (b) The reverse-mode gradient agrees with central finite differences.
    @Test(arguments: allCases)
    func matchesFiniteDifferences(_ testCase: GradientCase) throws {
        let (inputs, weight) = testCase.sample()
        let expected = finiteDifferenceGradients(of: testCase.op, at: inputs, weight: weight)
        let (strategy, _) = try reverseModeGradients(of: testCase.op, at: inputs, weight: weight)
        for k in inputs.indices {
            expectGradient(strategy[k], shape: inputs[k].shape, equals: expected[k],
                           tolerance: GradientTolerance.finiteDifference, "\(testCase.name): input \(k)")
        }
    }

    /// A broadcasting example with small numbers whose gradients are exact.
    struct BroadcastExample: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let a: (scalars: [Double], shape: Shape)
        let b: (scalars: [Double], shape: Shape)
        let op: @Sendable (Tensor, Tensor) -> Tensor
        let gradA: [Double]
        let gradB: [Double]
    }

    static let broadcastExamples: [BroadcastExample] = [
        // d/da sum(a + b) counts the 4 columns each a[i] is added to; d/db the 3 rows.
        BroadcastExample(
            testDescription: "[3,1] + [1,4]",
            a: ([1, 2, 3], [3, 1]), b: ([10, 20, 30, 40], [1, 4]), op: { $0 + $1 },
            gradA: [4, 4, 4], gradB: [3, 3, 3, 3]
        ),
        // d/da sum(a * b) = b in every row; d/db = the column sums of a.
        BroadcastExample(
            testDescription: "[3,4] * [4]",
            a: ((1...12).map(Double.init), [3, 4]), b: ([1, -2, 3, 0.5], [4]), op: { $0 * $1 },
            gradA: [1, -2, 3, 0.5, 1, -2, 3, 0.5, 1, -2, 3, 0.5], gradB: [15, 18, 21, 24]
        ),
        // d/da sum(a / s) = 1/s everywhere; d/ds = −sum(a)/s², a zero-dimensional gradient.
        BroadcastExample(
            testDescription: "[2,3] / []",
            a: ([1, 2, 3, 4, 5, 6], [2, 3]), b: ([2], []), op: { $0 / $1 },
            gradA: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], gradB: [-21.0 / 4]
        ),
    ]

    // backward() of sum(op(a, b)) under broadcasting leaves each .grad shaped
    // like its input, holding the hand-computed sums.
    @Test(arguments: broadcastExamples)
    func broadcastingGradientReducesToInputShape(_ example: BroadcastExample) throws {
        let a = Tensor(example.a.scalars, shape: example.a.shape, requiresGrad: true)
        let b = Tensor(example.b.scalars, shape: example.b.shape, requiresGrad: true)
        try example.op(a, b).sum().backward()
        expectGradient(a.grad, shape: a.shape, equals: example.gradA, tolerance: GradientTolerance.analytic, "a")
        expectGradient(b.grad, shape: b.shape, equals: example.gradB, tolerance: GradientTolerance.analytic, "b")
    }
}
