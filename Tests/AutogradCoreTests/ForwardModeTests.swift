import AutogradCore
import Foundation
import Testing

/// Forward mode on tensors: gradients by chunks of tangent lanes (the ops'
/// forward rules), Jacobian–vector and Hessian–vector products, and agreement
/// with reverse mode. Domain edges and rule selection: ForwardModeDomainTests.
@Suite struct ForwardModeTests {
    static let unitRoundoff = 0x1p-53

    /// The forward and reverse gradients of L = Σ op(x)·w agree for every
    /// built-in op: bit for bit in most cases; otherwise within the stated bound
    ///     |forward − reverse| ≤ 4 ulp(reverse) + 2·n·u·Σⱼ |wⱼ·∂opⱼ/∂xᵢ|,
    /// where the sum runs over the n output elements that xᵢ reaches (the
    /// classical bound for sums in another order), and the terms come from a
    /// Jacobian–vector product per input element.
    @Test(arguments: OperationGradientTests.allCases)
    func forwardAgreesWithReverseForEveryOp(_ testCase: GradientCase) throws {
        let (inputs, weight) = testCase.sample()
        let leaves = inputs.map { Tensor($0.value, requiresGrad: true) }
        let loss = (testCase.op(leaves) * weight).sum()
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: leaves)
        let forward = try ForwardMode().gradient(of: loss, withRespectTo: leaves)
        for k in leaves.indices {
            #expect(forward[k].shape == leaves[k].shape)
            for i in 0..<leaves[k].elementCount where forward[k][flat: i] != reverse[k][flat: i] {
                let tangents = leaves.indices.map { j in
                    Tensor((0..<leaves[j].elementCount).map { j == k && $0 == i ? 1.0 : 0 }, shape: leaves[j].shape)
                }
                let (_, column) = try ForwardMode().jvp(at: inputs, along: tangents) { testCase.op($0) }
                let terms = withNoGrad { (column * weight).abs() }
                let count = terms.scalars.filter { $0 != 0 }.count
                let bound = 4 * reverse[k][flat: i].ulp
                    + 2 * Double(count) * Self.unitRoundoff * terms.sum().item()
                let difference = abs(forward[k][flat: i] - reverse[k][flat: i])
                #expect(difference <= bound, "\(testCase.name), input \(k)[\(i)]: forward \(forward[k][flat: i]), reverse \(reverse[k][flat: i])")
            }
        }
    }
}

extension ForwardModeTests {
    func lessonLoss(_ shape: Shape, seed: UInt64) -> (loss: Tensor, predicted: Tensor, real: Tensor) {
        var generator = SeededGenerator(seed: seed)
        let real = Tensor.rand(shape, using: &generator)
        let predicted = Tensor.rand(shape, requiresGrad: true, using: &generator)
        return ((predicted - real).pow(2).sum(), predicted, real)
    }

    /// On the lesson's loss the forward gradient is the reverse one, bit for bit.
    @Test(arguments: [(Shape([3, 8]), 0), ([3, 8], 1), ([3, 8], 2), ([7, 13], 3)] as [(Shape, UInt64)])
    func lessonLossForwardEqualsReverse(shape: Shape, seed: UInt64) throws {
        let (loss, predicted, real) = lessonLoss(shape, seed: seed)
        let forward = try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: [predicted])[0]
        #expect(forward.scalars == reverse.scalars)
        #expect(forward.shape == shape)
        #expect(forward.eq(withNoGrad { 2 * (predicted - real) }).all())
        #expect(predicted.grad == nil)
    }

    /// The lesson's loss has Hessian 2·I, so H·v = 2v exactly.
    @Test func hessianVectorProductOfTheLessonLoss() throws {
        let (loss, predicted, _) = lessonLoss([3, 8], seed: 4)
        var generator = SeededGenerator(seed: 5)
        let v = Tensor.randn([3, 8], using: &generator)
        let hv = try ForwardMode().hessianVectorProduct(of: loss, withRespectTo: [predicted], along: [v])[0]
        #expect(hv.scalars == v.scalars.map { 2 * $0 })
    }

    /// Σ x³ has Hessian diag(6x); Σ x·y has the off-diagonal identity.
    @Test func hessianVectorProductsOfOtherFunctions() throws {
        let x = Tensor([1.0, -2, 0.5], requiresGrad: true)
        let y = Tensor([3.0, 4, 5], requiresGrad: true)
        let v = Tensor([1.0, 1, 2])
        let cube = try ForwardMode().hessianVectorProduct(of: x.pow(3).sum(), withRespectTo: [x], along: [v])[0]
        #expect(cube.scalars == [6, -12, 6])
        let mixed = try ForwardMode().hessianVectorProduct(
            of: (x * y).sum(), withRespectTo: [x, y], along: [v, Tensor.zeros(3)]
        )
        #expect(mixed[0].scalars == [0, 0, 0] && mixed[1].scalars == v.scalars)
    }

    @Test func jvpGivesTheDirectionalDerivativeInOnePass() throws {
        let x = Tensor([0.5, 1, 2], requiresGrad: true)
        let v = Tensor([1.0, -1, 0.25])
        let y = x.exp() * 2
        let (value, derivative) = try ForwardMode().jvp(of: y, at: [x], along: [v])
        #expect(value.scalars == y.scalars)
        #expect(derivative.scalars == zip(x.scalars, v.scalars).map { 2 * Double.exp($0) * $1 })
        let (_, again) = try ForwardMode().jvp(at: [Tensor([0.5, 1, 2])], along: [v]) { $0[0].exp() * 2 }
        #expect(again.scalars == derivative.scalars)
    }

    @Test func aLeafListedTwiceGetsItsGradientTwice() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let loss = (x * x).sum()
        let forward = try ForwardMode().gradient(of: loss, withRespectTo: [x, x])
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: [x, x])
        #expect(forward.map(\.scalars) == [[2, 4], [2, 4]] && reverse.map(\.scalars) == [[2, 4], [2, 4]])
    }

    @Test func theFunctionAPIRecordsOnceAndDifferentiates() throws {
        let gradient = try ForwardMode().gradient(at: Tensor([1.0, -2, 3]), of: { ($0 * $0 * $0).sum() })
        #expect(gradient.scalars == [3, 12, 27])
    }

    @Test func badRequestsThrowTypedErrors() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let constant = Tensor([1.0, 2])
        let y = x * 3
        #expect(throws: AutogradError.nonScalarBackward(shape: [2])) {
            try ForwardMode().gradient(of: y, withRespectTo: [x])
        }
        #expect(throws: AutogradError.inputDoesNotRequireGrad(index: 0)) {
            try ForwardMode().gradient(of: (y * constant).sum(), withRespectTo: [constant])
        }
        #expect(throws: AutogradError.tangentShapeMismatch(index: 0, expected: [2], got: [3])) {
            try ForwardMode().jvp(of: y, at: [x], along: [Tensor.ones(3)])
        }
        #expect(throws: AutogradError.tangentCountMismatch(expected: 1, got: 2)) {
            try ForwardMode().hessianVectorProduct(of: y.sum(), withRespectTo: [x], along: [x, x])
        }
    }

    /// A gradient of n inputs takes ⌈n/8⌉ passes with 8 lanes, n with one.
    @Test(arguments: [1, 8, 9, 20, 100])
    func gradientsTakeOnePassPerChunk(inputs n: Int) {
        let point = (0..<n).map { Double($0) / 10 }
        var passes = 0
        let chunked = gradient(at: point) { x -> MultiDual<8, Double> in
            passes += 1
            return x.reduce(.zero) { $0 + $1 * $1 }
        }
        #expect(passes == (n + 7) / 8)
        #expect(chunked == point.map { 2 * $0 })
        passes = 0
        let single = gradient(at: point, lanes: Dual<Double>.self) { x in
            passes += 1
            return x.reduce(.zero) { $0 + $1 * $1 }
        }
        #expect(passes == n && single == chunked)
    }

    @Test func rosenbrockGradientAndJacobian() {
        func rosenbrock<S: FieldScalar>(_ x: [S]) -> S {
            (0..<(x.count - 1)).reduce(S.zero) { sum, i in
                let a = 1 - x[i], b = x[i + 1] - x[i] * x[i]
                return sum + a * a + 100 * b * b
            }
        }
        #expect(gradient(at: [1.0, 2.0]) { rosenbrock($0) } == [-400, 200])
        var generator = SeededGenerator(seed: 9)
        let point = (0..<100).map { _ in generator.nextUnit() * 2 - 1 }
        let automatic = gradient(at: point) { rosenbrock($0) }
        let expected = point.indices.map { i -> Double in
            var g = 0.0
            if i + 1 < point.count { g += -2 * (1 - point[i]) - 400 * point[i] * (point[i + 1] - point[i] * point[i]) }
            if i > 0 { g += 200 * (point[i] - point[i - 1] * point[i - 1]) }
            return g
        }
        #expect(zip(automatic, expected).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(jacobian(at: [2.0, 3.0]) { [$0[0] * $0[1], $0[0] - $0[1]] } == [[3, 2], [1, -1]])
    }
}

extension Tensor {
    /// The element at a row-major position.
    subscript(flat position: Int) -> Double { value[flat: position] }
}
