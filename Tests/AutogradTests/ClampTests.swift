import Autograd
import Testing

/// clamp: PyTorch's gradient convention at its bounds in every strategy, and
/// the exact reference's report where rounding or an enclosure leaves the
/// branch in doubt.
@Suite struct ClampTests {
    @Test func theGradientIsOneOnTheRangeBoundsIncluded() throws {
        let x = Tensor([-2.0, 0, 0.5, 1, 3], requiresGrad: true)
        let loss = (x.clamp(min: 0, max: 1) * Tensor([1.0, 2, 3, 4, 5])).sum()
        #expect(x.clamp(min: 0, max: 1).scalars == [0, 0, 0.5, 1, 1])
        for strategy in [ReverseMode(), ForwardMode(), ExactMode()] as [any Differentiable] {
            #expect(try strategy.gradient(of: loss, withRespectTo: [x]).tensors[0].scalars == [0, 2, 3, 4, 0], "\(strategy.name)")
        }
        #expect(x.clamp(min: 0.5).scalars == [0.5, 0.5, 0.5, 1, 3])
        #expect(x.clamp(max: 0.5).scalars == [-2, 0, 0.5, 0.5, 0.5])
        #expect(Tensor([Double.nan]).clamp(min: 0, max: 1).item().isNaN)
    }

    @Test func theExactReplayReportsABoundThatRoundingCrossed() throws {
        // 0.1 · 3 rounds to 0.30000000000000004, the upper bound itself; exactly it is below.
        let x = Tensor([0.1], requiresGrad: true)
        let loss = (x * 3).clamp(max: 0.30000000000000004).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.branchDivergences.map(\.element) == [0])
        #expect(exact.tensors[0].scalars == [3])
    }

    @Test func anEnclosureHoldingABoundIsUnresolved() throws {
        let x = Tensor([2.0, 3.0], requiresGrad: true)
        // (√x)² is exactly 2 at x = 2, and its enclosure straddles the bound;
        // in Double it is 2.0000000000000004, clamped.
        let loss = (x.sqrt().pow(2).clamp(min: -5, max: 2) * x).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        guard case .unresolved(let lower, let upper, _) = exact.elementStatuses[0][0] else {
            Issue.record("at the bound: \(exact.elementStatuses[0][0])")
            return
        }
        // clamp′ ∈ [0, 1] times x = 2, plus clamp(x) = 2: the truth 4 is inside.
        #expect(lower <= 2 && upper >= 4 && upper < 5)
        #expect(exact.branchDivergences.map(\.element) == [0])
        #expect(exact.tensors[0].scalars[1] == 2)   // x = 3: clamped, derivative 0, value 2
        // The pieces are cut with two more bits, so that the thin piece just
        // above the bound takes the clamped branch (its midpoint rounded onto
        // the bound before, and the element was wrongly called correctly rounded).
        let other = try ExactMode().gradient(of: (x.log().exp().clamp(max: 2) * x).sum(), withRespectTo: [x])
        #expect(other.elementStatuses[0][0].isResolved == false)
    }

    @Test func boundsMustMakeARange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2).clamp(min: 3, max: 1)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("clamp: min 3.0 is above max 1.0"))
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros(2).clamp() }
    }
}
