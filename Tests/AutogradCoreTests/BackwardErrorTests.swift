import AutogradCore
import Testing

/// Every typed error of a backward pass: it says what to do, and changes nothing.
@Suite struct BackwardErrorTests {
    @Test func backwardOnANonScalarNeedsAGradient() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        x.grad = Tensor([10.0, 20])
        let y = x * 2
        let error = #expect(throws: AutogradError.nonScalarBackward(shape: [2])) { try y.backward() }
        #expect(error?.description.contains("backward(gradient:)") == true)
        #expect(x.grad?.scalars == [10, 20])
        // The graph was not freed: the right call still works.
        try y.backward(gradient: Tensor([1.0, 1]))
        #expect(x.grad?.scalars == [12, 22])
    }

    @Test func aSecondBackwardThroughAFreedGraphThrows() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let loss = (x * x).sum()
        try loss.backward()
        let error = #expect(throws: AutogradError.self) { try loss.backward() }
        #expect(error == .graphFreed(node: "SumBackward"))
        #expect(error?.description.contains("retainGraph: true") == true)
        #expect(x.grad?.scalars == [2, 4])
    }

    @Test func aPartlyFreedGraphThrowsBeforeChangingAnything() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let shared = x * x
        try shared.sum().backward()          // frees the Mul node
        let other = (shared + x).sum()       // reaches the freed node
        #expect(throws: AutogradError.graphFreed(node: "MulBackward")) { try other.backward() }
        #expect(x.grad?.scalars == [2, 4])
        #expect(other.gradFn?.isFreed == false)
    }

    @Test func aGradientOfTheWrongShapeThrows() {
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        let y = x * 2
        let error = #expect(throws: AutogradError.gradientShapeMismatch(expected: [3], got: [2])) {
            try y.backward(gradient: Tensor([1.0, 1]))
        }
        #expect(error?.description.contains("pass a gradient of shape [3]") == true)
        #expect(x.grad == nil)
        #expect(y.gradFn?.isFreed == false)
    }

    @Test func backwardOnAnUntrackedTensorThrows() {
        let y = Tensor([1.0, 2]).sum()
        #expect(throws: AutogradError.doesNotRequireGrad) { try y.backward() }
    }

    /// A loss built inside a no-grad scope has no gradient in any strategy
    /// (ForwardMode returned zeros).
    @Test func aLossBuiltWithoutGradHasNoGradientInAnyStrategy() {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let loss = withNoGrad { (x * x).sum() }
        #expect(throws: AutogradError.doesNotRequireGrad) { try loss.backward() }
        let strategies: [any Differentiable] = [ReverseMode(), ForwardMode()]
        for strategy in strategies {
            #expect(throws: AutogradError.doesNotRequireGrad, "\(strategy.name)") {
                try strategy.gradient(of: loss, withRespectTo: [x])
            }
        }
        #expect(x.grad == nil)
    }

    /// n·xⁿ⁻¹ for n = Int.min, whose predecessor Int cannot hold.
    @Test func thePowerIntMinHasADerivative() throws {
        let x = Tensor([1.0, -1], requiresGrad: true)
        try x.pow(Int.min).sum().backward()
        #expect(x.grad?.scalars == [Double(Int.min), -Double(Int.min)])
        #expect(try ForwardMode().gradient(of: x.pow(Int.min).sum(), withRespectTo: [x])[0].scalars == x.grad?.scalars)
    }

    @Test func reverseModeRejectsInputsThatCannotHaveGradients() {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let constant = Tensor([3.0, 4])
        let y = x * 2
        let loss = (y * constant).sum()
        #expect(throws: AutogradError.inputDoesNotRequireGrad(index: 1)) {
            try ReverseMode().gradient(of: loss, withRespectTo: [x, constant])
        }
        #expect(throws: AutogradError.inputIsNotLeaf(index: 0)) {
            try ReverseMode().gradient(of: loss, withRespectTo: [y])
        }
        #expect(throws: AutogradError.nonScalarBackward(shape: [2])) {
            try ReverseMode().gradient(of: y, withRespectTo: [x])
        }
        #expect(x.grad == nil)
    }
}
