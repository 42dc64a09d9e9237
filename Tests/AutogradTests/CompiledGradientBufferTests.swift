import Autograd
import Testing

/// `valueWithGradient(_:into:)`: the gradients written into buffers the
/// caller keeps from one call to the next. It must give the bits of
/// `valueWithGradient(_:)` and of the tape, reuse a buffer only when no one
/// else holds it, fill every gradient (an input passed twice, an input the
/// result ignores), and leave the buffers alone when a call is refused.
@Suite struct CompiledGradientBufferTests {
    static func address(_ value: TensorValue<Double>) -> UnsafePointer<Double>? {
        value.withUnsafeBufferPointer { $0.baseAddress }
    }

    /// The lesson's loss at 24 elements and across three summation blocks,
    /// on one and two threads, and the tanh layer: the same bits as the
    /// tape, call after call, in the same buffers.
    @Test(arguments: [[3, 8], [3, 4_100]] as [Shape])
    func buffersGetTheTapesBitsCallAfterCall(shape: Shape) throws {
        var generator = SeededGenerator(seed: 11)
        for threads in [1, 2] {
            let loss = try CompiledFunction(tracingAt: [Tensor.zeros(shape), Tensor.zeros(shape)], threads: threads) { x in
                (x[0] - x[1]).pow(2).sum()
            }
            var gradients: [TensorValue<Double>] = []
            var addresses: [UnsafePointer<Double>?] = []
            for call in 0..<3 {
                let inputs = [Tensor.randn(shape, using: &generator), Tensor.randn(shape, using: &generator)]
                let tape = try ReverseMode().gradient(at: inputs) { x in (x[0] - x[1]).pow(2).sum() }
                let value = try loss.valueWithGradient(inputs, into: &gradients)
                #expect(value.bitPattern == (inputs[0] - inputs[1]).pow(2).sum().item().bitPattern)
                #expect(gradients.map(\.scalars) == tape.map(\.scalars), "call \(call), \(threads) threads")
                if call == 0 { addresses = gradients.map(Self.address) }
                #expect(gradients.map(Self.address) == addresses, "call \(call): the buffers were reused")
            }
        }
    }

    @Test func aDeeperGraphAndAMeanMatchTheTape() throws {
        var generator = SeededGenerator(seed: 12)
        let inputs = (0..<4).map { _ in Tensor.randn([1_000], using: &generator) }
        let functions: [([Tensor]) -> Tensor] = [
            { x in ((x[0] * x[1] + x[2]).tanh() * x[3]).sum() },
            { x in (x[0] / (x[1] * x[1] + 1)).exp().mean() },
        ]
        for function in functions {
            let compiled = try CompiledFunction(tracingAt: inputs, function)
            var gradients: [TensorValue<Double>] = []
            let value = try compiled.valueWithGradient(inputs, into: &gradients)
            let (expectedValue, expected) = try compiled.valueWithGradient(inputs)
            #expect(value.bitPattern == expectedValue.item().bitPattern)
            #expect(gradients.map(\.scalars) == expected.map(\.scalars))
            #expect(gradients.map(\.scalars) == (try ReverseMode().gradient(at: inputs, of: function)).map(\.scalars))
        }
    }

    /// A buffer that the caller also holds is left as it was (copy on
    /// write): the call writes into a new one.
    @Test func aBufferSomeoneHoldsIsNotOverwritten() throws {
        let loss = try CompiledFunction(tracingAt: [Tensor.zeros(4)]) { x in x[0].pow(2).sum() }
        var gradients: [TensorValue<Double>] = []
        _ = try loss.valueWithGradient([Tensor([1.0, 2, 3, 4])], into: &gradients)
        let kept = gradients[0]
        _ = try loss.valueWithGradient([Tensor([5.0, 6, 7, 8])], into: &gradients)
        #expect(kept.scalars == [2, 4, 6, 8])
        #expect(gradients[0].scalars == [10, 12, 14, 16])
        #expect(Self.address(kept) != Self.address(gradients[0]))
    }

    /// Every gradient is filled: an input the result ignores gets zeros, in
    /// a buffer that held other values, and a graph whose input is listed
    /// twice gets the gradient of both uses in both positions, as
    /// `valueWithGradient(_:)` gives it. A buffer of another shape, or too
    /// few buffers, are replaced.
    @Test func everyGradientIsFilled() throws {
        let x = Tensor([1.0, 2, 3]), unused = Tensor([7.0, 8, 9])
        let product = try CompiledFunction(tracingAt: [x, x, unused]) { x in (x[0] * x[1]).sum() }
        var gradients = [TensorValue(repeating: 5.0, shape: [3]), TensorValue(repeating: 5.0, shape: [2])]
        let value = try product.valueWithGradient([x, x, unused], into: &gradients)
        #expect(value == 14)
        #expect(gradients.map(\.scalars) == [[1, 2, 3], [1, 2, 3], [0, 0, 0]])
        let returned = try product.valueWithGradient([x, x, unused])
        #expect(returned.value.item() == 14)
        #expect(returned.gradient.map(\.scalars) == [[1, 2, 3], [1, 2, 3], [0, 0, 0]])
        let leaf = Tensor([1.0, 2, 3], requiresGrad: true)
        let square = try CompiledFunction(result: (leaf * leaf).sum(), inputs: [leaf, leaf])
        #expect(try square.valueWithGradient([leaf, leaf], into: &gradients) == 14)
        #expect(gradients.map(\.scalars) == [[2, 4, 6], [2, 4, 6]])
        #expect(gradients.map(\.scalars) == (try square.valueWithGradient([leaf, leaf]).gradient.map(\.scalars)))
        // A constant captured by the function, and a plan that is not one
        // final sum (the sum is scaled afterwards): the same gradients.
        let weight = Tensor([0.5, -1, 2])
        let scaled = try CompiledFunction(tracingAt: [x]) { x in (x[0] * weight).sum() * 3 }
        #expect(try scaled.valueWithGradient([x], into: &gradients) == 3 * (0.5 - 2 + 6))
        #expect(gradients.map(\.scalars) == [[1.5, -3, 6]])
    }

    /// A refused call throws the error that `valueWithGradient(_:)` throws
    /// and leaves the buffers as they were.
    @Test func aRefusedCallKeepsTheBuffers() throws {
        let product = try CompiledFunction(tracingAt: [Tensor.zeros(2, 3), Tensor.zeros(2, 3)]) { x in (x[0] * x[1]).sum() }
        var gradients = [TensorValue(repeating: 1.0, shape: [2, 3])]
        #expect(throws: AutogradError.inputCountMismatch(expected: 2, got: 1)) {
            try product.valueWithGradient([Tensor.zeros(2, 3)], into: &gradients)
        }
        #expect(throws: AutogradError.inputShapeMismatch(index: 1, expected: [2, 3], got: [3, 2])) {
            try product.valueWithGradient([Tensor.zeros(2, 3), Tensor.zeros(3, 2)], into: &gradients)
        }
        let notScalar = try CompiledFunction(tracingAt: [Tensor.zeros(2)]) { x in x[0].exp() }
        #expect(throws: AutogradError.nonScalarBackward(shape: [2])) {
            try notScalar.valueWithGradient([Tensor.zeros(2)], into: &gradients)
        }
        #expect(gradients.count == 1 && gradients[0].shape == [2, 3] && gradients[0].scalars == Array(repeating: 1, count: 6))
    }
}
