import Autograd
import Testing

/// matmul beyond two 2-D operands: vectors and stacks of matrices, as PyTorch
/// reads them, differentiated by every strategy.
@Suite struct MatmulShapesTests {
    @Test func vectorsAreRowsOrColumnsWhoseDimensionIsDropped() {
        let a = Tensor([[1.0, 2], [3, 4]]), v = Tensor([1.0, 10])
        #expect(a.matmul(v).shape == [2] && a.matmul(v).scalars == [21, 43])
        #expect(v.matmul(a).shape == [2] && v.matmul(a).scalars == [31, 42])
        #expect(v.matmul(v).shape == [] && v.matmul(v).item() == 101)
    }

    @Test func stacksOfMatricesBroadcastTheirLeadingDimensions() {
        var generator = SeededGenerator(seed: 4)
        let stack = Tensor.randn([3, 2, 4], using: &generator), matrix = Tensor.randn([4, 5], using: &generator)
        let product = stack.matmul(matrix)
        #expect(product.shape == [3, 2, 5])
        for b in 0..<3 { #expect(product.select(dim: 0, index: b).scalars == stack.select(dim: 0, index: b).matmul(matrix).scalars) }
        let other = Tensor.randn([1, 4, 6], using: &generator)
        #expect(stack.matmul(other).shape == [3, 2, 6])
        let pairs = Tensor.randn([3, 4, 2], using: &generator)
        let batched = stack.matmul(pairs)
        #expect(batched.shape == [3, 2, 2])
        for b in 0..<3 {
            #expect(batched.select(dim: 0, index: b).scalars == stack.select(dim: 0, index: b).matmul(pairs.select(dim: 0, index: b)).scalars)
        }
        #expect(matrix.transpose().matmul(Tensor.randn([2, 4, 3], using: &generator)).shape == [2, 5, 3])
    }

    /// Products over one term (a layer with one output, its input's and its
    /// weight's gradients) are each element's single product, summed from 0
    /// as the generic loop sums (−0 becomes +0), in all three positions.
    @Test func outerProductsAreSinglePassProductsFromZero() throws {
        var generator = SeededGenerator(seed: 12)
        let column = Tensor.randn([37, 1], using: &generator), row = Tensor.randn([1, 29], using: &generator)
        let negativeZeroColumn = Tensor([[-0.0], [2]]), positiveRow = Tensor([[3.0, -0.0]])
        func outer(_ a: [Double], _ b: [Double]) -> [Double] { a.flatMap { x in b.map { 0 + x * $0 } } }
        #expect(column.matmul(row).value.scalars.map(\.bitPattern) == outer(column.scalars, row.scalars).map(\.bitPattern))
        #expect(negativeZeroColumn.matmul(positiveRow).value.scalars.map(\.bitPattern) == [0.0, 0, 6, 0].map(\.bitPattern))

        // y = x·w with w of one column: ∂/∂x = g·wᵀ (k = 1, the right operand transposed).
        let x = Tensor.randn([37, 29], requiresGrad: true, using: &generator)
        let w = Tensor.randn([29, 1], using: &generator), seed = Tensor.randn([37, 1], using: &generator)
        try (x.matmul(w) * seed).sum().backward()
        #expect(try #require(x.grad).value.scalars.map(\.bitPattern) == outer(seed.scalars, w.scalars).map(\.bitPattern))

        // y = v·m with v of one row: ∂/∂m = vᵀ·g (k = 1, the left operand transposed).
        let v = Tensor.randn([1, 37], using: &generator), m = Tensor.randn([37, 29], requiresGrad: true, using: &generator)
        let rowSeed = Tensor.randn([1, 29], using: &generator)
        try (v.matmul(m) * rowSeed).sum().backward()
        #expect(try #require(m.grad).value.scalars.map(\.bitPattern) == outer(v.scalars, rowSeed.scalars).map(\.bitPattern))
    }

    @Test func everyStrategyDifferentiatesThem() throws {
        var generator = SeededGenerator(seed: 6)
        let stack = Tensor.randn([2, 3, 4], using: &generator)
        let vector = Tensor.randn([4], using: &generator)
        let results = try GradientCheck.check("batched matmul", inputs: [stack, vector]) { x in
            (x[0].matmul(x[1]).pow(2).sum() + x[1].matmul(x[1]) + x[0].matmul(x[0].transpose(1, 2)).sum())
        }
        for result in results { #expect(result.passed, "\(result.strategy): \(String(describing: result.worst))") }
    }

    @Test func doubleProductsGoThroughOpenBLASAndOtherScalarsThroughTheLoop() {
        #expect(MatrixProducts.kernelName(for: Double.self) == "OpenBLAS cblas_dgemm")
        #expect(MatrixProducts.kernelName(for: Rational.self) == "generic loop")
        #expect(MatrixProducts.kernelName(for: Float.self) == "generic loop")
    }

    /// Each element of OpenBLAS's product, with either operand transposed, is
    /// within the classic bound of the exact product: |ĉ − c| ≤ γₖ Σₚ |aₚ||bₚ|,
    /// γₖ = k·u / (1 − k·u). Odd sizes reach the kernel's edge cases.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func openBLASProductsAreWithinTheRoundingBoundOfTheExactProduct(transposes: (Bool, Bool)) throws {
        var generator = SeededGenerator(seed: 12)
        let (m, n, k) = (37, 29, 53)
        let left = Tensor.randn(transposes.0 ? [k, m] : [m, k], using: &generator).value
        let right = Tensor.randn(transposes.1 ? [n, k] : [k, n], using: &generator).value
        let product = left.matmul(right, transposingLeft: transposes.0, transposingRight: transposes.1)
        func exact(_ value: TensorValue<Double>) throws -> TensorValue<Rational> {
            TensorValue(shape: value.shape, scalars: try value.scalars.map { try Rational(exactly: $0) })
        }
        let truth = try exact(left).matmul(try exact(right), transposingLeft: transposes.0, transposingRight: transposes.1)
        let magnitudes = left.map(\.magnitude).matmul(right.map(\.magnitude), transposingLeft: transposes.0, transposingRight: transposes.1)
        let unit = Double.ulpOfOne / 2, gamma = Double(k) * unit / (1 - Double(k) * unit)
        #expect(product.shape == [m, n])
        for i in 0..<(m * n) {
            let error = (try Rational(exactly: product[flat: i]) - truth[flat: i]).magnitude.doubleValue
            #expect(error <= gamma * magnitudes[flat: i] * 1.01, "element \(i)")
        }
    }

    @Test func aStackOfProductsIsOneNodeWhoseStacksBroadcast() throws {
        var generator = SeededGenerator(seed: 9)
        let stack = Tensor.randn([3, 2, 4], requiresGrad: true, using: &generator)
        let shared = Tensor.randn([1, 4, 5], requiresGrad: true, using: &generator)
        let product = stack.matmul(shared)
        #expect(product.shape == [3, 2, 5])
        #expect(product.gradFn?.name == "MmBackward")
        #expect(product.gradFn?.inputs.count == 2)
        let results = try GradientCheck.check("broadcast stacks", inputs: [stack, shared]) { x in
            x[0].matmul(x[1]).tanh().sum() + Tensor.ones([5, 2]).matmul(x[0]).pow(2).sum()
        }
        for result in results { #expect(result.passed, "\(result.strategy): \(String(describing: result.worst))") }
    }
}
