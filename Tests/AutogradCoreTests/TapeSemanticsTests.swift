import AutogradCore
import Foundation
import Testing

/// PyTorch's semantics of the tape: what is recorded, how gradients accumulate,
/// retaining the graph, detaching and no-grad scopes.
@Suite struct TapeSemanticsTests {
    @Test func resultsOfTrackedOpsRecordTheirOp() {
        let x = Tensor.ones(2, 4, requiresGrad: true)
        let y = x + 1
        #expect(y.gradFn?.name == "AddBackward")
        #expect(y.requiresGrad && !y.isLeaf && x.isLeaf)
        #expect((y * y).gradFn?.name == "MulBackward")
        #expect(y.sum().gradFn?.name == "SumBackward")
        #expect((1 - y).gradFn?.name == "RsubBackward")
        #expect(y.matmul(y.transpose()).gradFn?.name == "MmBackward")
        #expect(y.sum().gradFn?.nextFunctions.first??.name == "AddBackward")
        #expect(y.gradFn?.nextFunctions.count == 1 && y.gradFn?.nextFunctions[0] == nil)
    }

    @Test func opsOnUntrackedTensorsRecordNothing() {
        let x = Tensor.ones(2, 2)
        let y = (x * 2).exp().sum()
        #expect(y.gradFn == nil && !y.requiresGrad && y.isLeaf)
    }

    @Test func gradientsAccumulateOverBackwardCalls() throws {
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        try (x * x).sum().backward()
        #expect(x.grad?.scalars == [2, 4, 6])
        try (x * x).sum().backward()
        #expect(x.grad?.scalars == [4, 8, 12])
        x.zeroGrad()
        #expect(x.grad == nil)
        try (3 * x).sum().backward()
        #expect(x.grad?.scalars == [3, 3, 3])
    }

    @Test func aTensorUsedTwiceReceivesBothContributions() throws {
        let x = Tensor([2.0, -1], requiresGrad: true)
        let y = x * x + x
        try y.sum().backward()
        #expect(x.grad?.scalars == [5, -1])
    }

    @Test func gradOfNonLeafIsNil() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let y = x * 3
        try y.sum().backward()
        #expect(y.grad == nil)
        #expect(x.grad?.scalars == [3, 3])
    }

    @Test func backwardWithAGradientSeedsTheChainRule() throws {
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        let y = x * x
        try y.backward(gradient: Tensor([1.0, 0.5, 2]))
        #expect(x.grad?.scalars == [2, 2, 12])
    }

    @Test func backwardOnALeafAccumulatesIntoItself() throws {
        let x = Tensor(3.0, requiresGrad: true)
        try x.backward()
        #expect(x.grad?.item() == 1)
    }

    @Test func retainGraphAllowsASecondBackward() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let loss = (x * x).sum()
        try loss.backward(retainGraph: true)
        try loss.backward()
        #expect(x.grad?.scalars == [4, 8])
        #expect(loss.gradFn?.isFreed == true)
    }

    @Test func detachSharesValuesAndStopsTracking() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let y = x * 2
        let detached = y.detach()
        #expect(detached.scalars == y.scalars)
        #expect(!detached.requiresGrad && detached.isLeaf)
        #expect((detached * 3).gradFn == nil)
        #expect(y.gradFn != nil)
        // A graph through a detached copy does not reach x.
        let z = (detached * y).sum()
        try z.backward()
        #expect(x.grad?.scalars == [4, 8])
    }

    @Test func detachInPlaceMakesALeafThatDoesNotRequireGrad() {
        let x = Tensor.ones(2, requiresGrad: true)
        let y = x + 1
        let z = y * 2
        y.detachInPlace()
        #expect(y.isLeaf && !y.requiresGrad && y.gradFn == nil)
        #expect((y * 2).gradFn == nil)
        // A graph recorded before is unchanged.
        #expect(z.gradFn?.nextFunctions[0]?.name == "AddBackward")
    }

    @Test func requiresGradCanBeSwitchedOnLeaves() {
        let w = Tensor.ones(2, requiresGrad: true)
        w.requiresGrad = false
        #expect((w * 2).gradFn == nil)
        w.requiresGrad = true
        #expect((w * 2).gradFn != nil)
        let y = w * 2
        y.requiresGrad = true   // a no-op on a tracked result, as in PyTorch
        #expect(y.requiresGrad)
    }

    @Test func noGradScopeRecordsNothingAndNests() {
        let x = Tensor.ones(2, requiresGrad: true)
        let (outer, inner, reenabled, afterInner) = withNoGrad {
            let outer = x * 2
            let inner = withNoGrad { x * 3 }
            let reenabled = withGradEnabled(true) { x * 4 }
            return (outer, inner, reenabled, x * 5)
        }
        #expect(!outer.requiresGrad && !inner.requiresGrad && !afterInner.requiresGrad)
        #expect(reenabled.gradFn?.name == "MulBackward")
        #expect((x * 6).requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func noGradIsPerTask() async {
        let x = Tensor.ones(2, requiresGrad: true)
        let otherTaskRecords = await withNoGrad {
            // A detached task does not inherit the task-local setting.
            await Task.detached { GradMode.isEnabled }.value
        }
        #expect(otherTaskRecords)
        #expect((x * 2).requiresGrad)
    }

    @Test func noGradIsPerThread() async {
        let otherThreadRecords = await withNoGrad {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: GradMode.isEnabled) }
            }
        }
        #expect(otherThreadRecords)
    }

    @Test func reverseModeLeavesGradAndGraphUntouched() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let unused = Tensor([5.0], requiresGrad: true)
        let loss = (x * x).sum()
        let gradients = try ReverseMode().gradient(of: loss, withRespectTo: [x, unused])
        #expect(gradients[0].scalars == [2, 4])
        #expect(gradients[1].scalars == [0])
        #expect(x.grad == nil)
        try loss.backward()   // the graph is still there
        #expect(x.grad?.scalars == [2, 4])
    }

    @Test func reverseModeReplaysAGraphThatBackwardFreed() throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.rand([4, 5], requiresGrad: true, using: &generator)
        let w = Tensor.rand([5, 2], requiresGrad: true, using: &generator)
        let loss = (x.matmul(w).tanh() - 0.5).pow(2).mean()
        let onTape = try ReverseMode().gradient(of: loss, withRespectTo: [x, w])
        try loss.backward()
        #expect(throws: AutogradError.graphFreed(node: "MeanBackward")) { try loss.backward() }
        let replayed = try ReverseMode().gradient(of: loss, withRespectTo: [w, x])
        #expect(replayed[0].scalars == onTape[1].scalars && replayed[1].scalars == onTape[0].scalars)
        #expect(replayed[1].scalars == x.grad!.scalars)
    }

    @Test func reverseModeDifferentiatesAFunction() throws {
        let gradient = try ReverseMode().gradient(at: Tensor([1.0, -2]), of: { ($0 * $0 * $0).sum() })
        #expect(gradient.scalars == [3, 12])
        let pair = try ReverseMode().gradient(at: [Tensor([2.0]), Tensor([3.0])], of: { ($0[0] * $0[1]).sum() })
        #expect(pair.map(\.scalars) == [[3], [2]])
    }

    @Test func reverseModeDifferentiatesInsideANoGradScope() throws {
        let gradient = try withNoGrad {
            try ReverseMode().gradient(at: Tensor([1.0, 2]), of: { $0.pow(2).sum() })
        }
        #expect(gradient.scalars == [2, 4])
    }
}
