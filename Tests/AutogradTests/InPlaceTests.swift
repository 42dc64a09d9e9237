import Autograd
import Testing

/// In-place ops and versions, with PyTorch's rules: an optimizer's update in
/// a no-grad scope, errors for in-place changes the graph could not follow,
/// and every strategy refusing a graph whose leaves changed since.
@Suite struct InPlaceTests {
    @Test func anUpdateInANoGradScopeChangesTheLeafAndItsVersion() throws {
        let w = Tensor([1.0, 2, 3], requiresGrad: true)
        try (w * w).sum().backward()
        try withNoGrad { try w -= 0.25 * w.grad! }
        #expect(w.scalars == [0.5, 1, 1.5])
        #expect(w.version == 1)
        #expect(w.isLeaf && w.requiresGrad)
        #expect(w.grad?.scalars == [2, 4, 6])
        try withNoGrad { try w.add(w.grad!, alpha: -0.25) }
        #expect(w.scalars == [0, 0, 0])
        #expect(w.version == 2)
    }

    @Test(arguments: ["+=", "-=", "*=", "/=", "+= c", "zero()", "add(_:alpha:)"])
    func aLeafRequiringGradRefusesInPlaceOpsWhileRecording(_ form: String) throws {
        let w = Tensor([1.0, 2], requiresGrad: true)
        w.grad = Tensor([5.0, 6])
        let other = Tensor([3.0, 4])
        let error = #expect(throws: AutogradError.self) {
            switch form {
            case "+=": try w += other
            case "-=": try w -= other
            case "*=": try w *= other
            case "/=": try w /= other
            case "+= c": try w += 1
            case "zero()": try w.zero()
            default: try w.add(other, alpha: 2)
            }
        }
        #expect(error == .inPlaceOnLeafRequiringGrad(operation: form == "+= c" ? "+=" : form, shape: [2]))
        #expect(error?.description.contains("withNoGrad") == true)
        #expect(w.scalars == [1, 2] && w.version == 0 && w.isLeaf && w.grad?.scalars == [5, 6])
    }

    @Test func backwardThroughALeafChangedSinceThrowsNamingTheOp() throws {
        let w = Tensor([1.0, 2], requiresGrad: true)
        let loss = (w * w).sum()
        try withNoGrad { try w += 1 }
        let error = #expect(throws: AutogradError.self) { try loss.backward() }
        #expect(error == .modifiedInPlace(node: "MulBackward", shape: [2], recordedVersion: 0, version: 1))
        #expect(error?.description.contains("a value needed by MulBackward was modified in place after it was recorded") == true)
        #expect(w.grad == nil)
        #expect(loss.gradFn?.isFreed == false)
    }

    @Test func everyStrategyRefusesAGraphWhoseLeafChanged() throws {
        let w = Tensor([1.0, 2], requiresGrad: true)
        let real = Tensor([0.5, 0.5])
        let loss = (w - real).pow(2).sum()
        try withNoGrad { try real.fill(3) }     // a constant the graph read, changed
        for strategy in [ReverseMode(), ForwardMode(), ExactMode()] as [any Differentiable] {
            #expect(throws: AutogradError.modifiedInPlace(node: "SubBackward", shape: [2], recordedVersion: 0, version: 1),
                    "\(strategy.name)") {
                try strategy.gradient(of: loss, withRespectTo: [w])
            }
        }
    }

    @Test func aRecordedInPlaceOpBecomesTheTensorsGradFn() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let y = x * 2
        let square = y * y               // reads y = 2x, as the program ran
        try y += 1                       // y = 2x + 1, recorded
        #expect(y.gradFn?.name == "AddBackward" && y.version == 1)
        #expect(y.scalars == [3, 5])
        let loss = (square + y).sum()    // (2x)² + (2x + 1)
        try loss.backward()
        #expect(x.grad?.scalars == [8 * 1 + 2, 8 * 2 + 2])
        let exact = try ExactMode().gradient(of: (square + y).sum(), withRespectTo: [x])
        #expect(exact.tensors[0].scalars == [10, 18])
    }

    @Test func aConstantThatAddsARecordedValueStartsToRequireGrad() throws {
        let w = Tensor([1.0, 2], requiresGrad: true)
        let total = Tensor.zeros(2)
        try total += w * w
        #expect(!total.isLeaf && total.requiresGrad && total.gradFn?.name == "AddBackward")
        // Every strategy replays the value the op read (0), not total's new one.
        for strategy in [ReverseMode(), ForwardMode(), ExactMode()] as [any Differentiable] {
            let gradient = try strategy.gradient(of: (total * total).sum(), withRespectTo: [w])
            #expect(gradient.tensors[0].scalars == [4, 32], "\(strategy.name)")   // d(w⁴)/dw = 4w³
        }
        try total.sum().backward()
        #expect(w.grad?.scalars == [2, 4])
    }

    @Test func aRecordedResultRefusesInPlaceOpsInANoGradScope() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let y = x * 2
        let error = #expect(throws: AutogradError.self) { try withNoGrad { try y *= 3 } }
        #expect(error == .inPlaceOnRecordedResultWithoutGrad(operation: "*=", shape: [2]))
        #expect(y.scalars == [2, 4] && y.version == 0 && y.gradFn?.name == "MulBackward")
        // Its detach() can change freely, and does not change y.
        let copy = y.detach()
        try withNoGrad { try copy *= 3 }
        #expect(copy.scalars == [6, 12] && y.scalars == [2, 4])
    }

    @Test func anOperandMustBroadcastToTheTensorsOwnShape() throws {
        let x = Tensor([1.0, 2, 3])
        let error = #expect(throws: AutogradError.self) { try x += Tensor.ones(2, 3) }
        #expect(error == .inPlaceShapeMismatch(operation: "+=", shape: [3], operand: [2, 3]))
        #expect(error?.description.contains("cannot change a tensor's shape") == true)
        #expect(x.scalars == [1, 2, 3] && x.version == 0)
        try x += Tensor([10.0])          // broadcasts to [3]
        #expect(x.scalars == [11, 12, 13])
    }

    @Test func aGradientZeroedInPlaceAccumulatesFromZero() throws {
        let w = Tensor([1.0, 2], requiresGrad: true)
        try (w * 3).sum().backward()
        let gradient = try #require(w.grad)
        try gradient.zero()
        #expect(w.grad?.scalars == [0, 0])
        try (w * w).sum().backward()
        #expect(w.grad?.scalars == [2, 4])
    }

    @Test func fillingARecordedResultCutsItFromTheGraph() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let y = x * 2
        try y.fill(7)
        #expect(y.isLeaf && !y.requiresGrad && y.scalars == [7, 7])
        #expect(throws: AutogradError.doesNotRequireGrad) { try y.sum().backward() }
    }
}
