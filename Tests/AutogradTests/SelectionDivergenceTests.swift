import Autograd
import Foundation
import Testing

/// max and where choose elements by comparing values: the exact reference
/// re-makes each choice in exact arithmetic and reports where rounding made
/// the recorded run choose otherwise, or where an enclosure cannot decide.
@Suite struct SelectionDivergenceTests {
    @Test func maxReportsATieThatRoundingMade() throws {
        // 1 + 1e-17 rounds to 1: the Double run sees a tie and shares the
        // gradient; exactly, the first element alone is the largest.
        let x = Tensor([1.0, 1.0], requiresGrad: true)
        let loss = (x + Tensor([1e-17, 0])).max()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.branchDivergences.map(\.operation) == ["MaxBackward"])
        #expect(exact.branchDivergences.map(\.element) == [1])
        #expect(exact.branchDivergences[0].recorded == 1)
        #expect(exact.tensors[0].scalars == [1, 0])
        #expect(try ReverseMode().gradient(of: loss, withRespectTo: [x]).tensors[0].scalars == [0.5, 0.5])
    }

    @Test func maxAlongAnAxisReportsBothElementsOfAFlippedChoice() throws {
        let x = Tensor([[1.0, 1.0], [5.0, 2.0]], requiresGrad: true)
        let loss = (x + Tensor([[0.0, 1e-17], [0, 0]])).max(dim: 1).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        // Slice 0: the Double run takes element 0 (the first of a tie), exact arithmetic element 1.
        #expect(exact.branchDivergences.map(\.element) == [0, 1])
        #expect(exact.tensors[0].scalars == [0, 1, 1, 0])
    }

    @Test func whereReportsAComparisonThatRoundingFlipped() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let condition = (x + 1e-17).gt(1)
        #expect(condition.comparison?.relation == .greater)
        let loss = Tensor.where(condition, x * 2, x * 3).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.branchDivergences.map(\.operation) == ["WhereBackward"])
        #expect(exact.branchDivergences.map(\.element) == [0])
        // The reported input is the left operand minus the right one: 0 as recorded.
        #expect(exact.branchDivergences[0].recorded == 0)
        // The reference differentiates the program as it ran: the recorded choice.
        #expect(exact.tensors[0].scalars == [3, 2])
    }

    @Test func whereOnAnElementaryFunctionComparesEnclosures() throws {
        // exp(1) rounds to M_E, which is below e: the Double comparison says
        // "not greater", the enclosure of exp(1) is above M_E.
        let x = Tensor([1.0, 0.0], requiresGrad: true)
        let loss = Tensor.where(x.exp().gt(M_E), x * 2, x).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.branchDivergences.map(\.element) == [0])
    }

    @Test func anEnclosureThatMayTieIsUndecided() throws {
        // (√2)² is exactly 2, but its enclosure straddles 2: max cannot tell
        // which of the two elements is the largest.
        let x = Tensor([2.0], requiresGrad: true)
        let loss = Tensor.cat([x.sqrt().pow(2), Tensor([2.0])]).max()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(!exact.branchDivergences.isEmpty)
        #expect(exact.branchDivergences.allSatisfy { $0.operation == "MaxBackward" })
        // Whichever element takes the gradient (1 if the first, ½ at a tie,
        // 0 if the second), the reference does not claim one of them.
        guard case .unresolved(let lower, let upper, _) = exact.elementStatuses[0][0] else {
            Issue.record("an undecided choice was resolved: \(exact.elementStatuses[0][0])")
            return
        }
        #expect(lower <= 0 && upper >= 1)
    }

    @Test func choicesFarFromATieReportNothing() throws {
        var generator = SeededGenerator(seed: 21)
        let x = Tensor.randn([4, 6], requiresGrad: true, using: &generator)
        let loss = x.max() + x.max(dim: 0).sum() + Tensor.where(x.gt(0), x, x * 0.1).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.branchDivergences.isEmpty)
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: [x])
        #expect(reverse.tensors[0].scalars == exact.tensors[0].scalars)
    }
}
