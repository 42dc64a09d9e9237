import Autograd
import CVectorKernels
import Testing

/// `tanh` on `Double` tensors runs through the C kernels that `Autograd`
/// links; they must give the Swift kernel's bits for every element (values,
/// reverse and forward rules), so the strategies that evaluate `tanh` one
/// element at a time (dual numbers) agree with the tape exactly.
@Suite struct HyperbolicTangentVectorKernelTests {
    /// A seeded sample over the whole range, and the points where the
    /// formulas change, clamp, underflow or meet special values; 1,037
    /// elements, so the vector loops also run their scalar tail.
    static func sample() -> [Double] {
        var generator = SeededGenerator(seed: 21)
        let uniform = (0..<600).map { _ in (generator.nextUnit() * 2 - 1) * 1.2 }
        let wide = (0..<300).map { _ in (generator.nextUnit() * 2 - 1) * 40 }
        let tiny = (0..<100).map { _ in (generator.nextUnit() * 2 - 1) * 1e-6 }
        let edges: [Double] = [
            0, -0.0, 0.55, 0.55.nextDown, 0.55.nextUp, -0.55, 30, 30.nextUp, -30, 354, 373, 380, 380.5, 800,
            1e300, -1e300, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .infinity, -.infinity, .nan, -.nan, .greatestFiniteMagnitude,
            Double.leastNormalMagnitude, 19.1, 0.2746, -7.5,
        ]
        return uniform + wide + tiny + edges
    }

    @Test func theLinkedKernelIsTheCOne() {
        #expect(VectorKernels.hyperbolicTangentName.hasPrefix("C loops, "))
    }

    @Test func valuesHaveTheSwiftKernelsBits() {
        let x = Self.sample()
        let y = HyperbolicTangent().value(TensorValue(shape: [x.count], scalars: x))
        for (i, element) in x.enumerated() {
            let expected = HyperbolicTangentKernel.tanh(element)
            #expect(y[[i]].bitPattern == expected.bitPattern, "tanh(\(element)): \(y[[i]]) against \(expected)")
        }
    }

    @Test func bothRulesHaveTheSwiftKernelsBits() {
        let x = Self.sample()
        var generator = SeededGenerator(seed: 22)
        // Seeds with exact zeros (where NaN inputs must give a strong 0) and infinities.
        let seeds = x.indices.map { i -> Double in
            switch i % 7 {
            case 0: 0
            case 1: .infinity
            default: generator.nextUnit() * 4 - 2
            }
        }
        let input = TensorValue(shape: [x.count], scalars: x), seed = TensorValue(shape: [x.count], scalars: seeds)
        let output = HyperbolicTangent().value(input)
        let reverse = HyperbolicTangent().vjp(input, output: output, gradient: seed)
        let forward = HyperbolicTangent().jvp(input, output: output, tangent: seed)
        for i in x.indices {
            let product = seeds[i] * HyperbolicTangentKernel.derivative(x[i])
            let expected = seeds[i] == 0 && product.isNaN ? 0 : product
            #expect(reverse[[i]].bitPattern == expected.bitPattern, "vjp at \(x[i]), seed \(seeds[i])")
            #expect(forward[[i]].bitPattern == expected.bitPattern, "jvp at \(x[i]), seed \(seeds[i])")
        }
    }

    /// The baseline, AVX2 and AVX-512 copies of the C loops (those this
    /// processor runs) all give the Swift kernel's bits: a machine without
    /// AVX-512 runs one of the others.
    @Test func everyInstructionSetVariantHasTheSwiftKernelsBits() {
        let x = Self.sample()
        var generator = SeededGenerator(seed: 24)
        let seeds = x.indices.map { i in i % 5 == 0 ? 0 : generator.nextUnit() * 4 - 2 }
        let expectedValues = x.map { HyperbolicTangentKernel.tanh($0).bitPattern }
        let expectedProducts = zip(x, seeds).map { element, seed -> UInt64 in
            let product = seed * HyperbolicTangentKernel.derivative(element)
            return (seed == 0 && product.isNaN ? 0 : product).bitPattern
        }
        let variants = autograd_vector_kernels_variant_count()
        #expect(variants >= 1 && variants <= 3)
        for variant in 0..<variants {
            var values = [Double](repeating: 0, count: x.count), products = values
            autograd_tanh_variant(variant, x, &values, x.count)
            autograd_tanh_derivative_times_variant(variant, x, seeds, &products, x.count)
            #expect(values.map(\.bitPattern) == expectedValues, "variant \(variant): values")
            #expect(products.map(\.bitPattern) == expectedProducts, "variant \(variant): seed · tanh′")
        }
    }

    @Test func dualNumbersAndTheTapeAgreeBitForBit() throws {
        var generator = SeededGenerator(seed: 23)
        let x = Tensor.randn([64, 33], using: &generator) * 3
        let f: (Tensor) -> Tensor = { $0.tanh().sum() }
        let reverse = try ReverseMode().gradient(at: x, of: f).value.scalars
        let forward = try ForwardMode().gradient(at: x, of: f).value.scalars
        let differing = zip(reverse, forward).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(reverse.count) elements differ")
    }
}
