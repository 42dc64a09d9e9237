import Autograd
import Foundation
import Testing

/// Graphs of any depth are built, differentiated by every strategy and
/// freed without recursion proportional to their depth (a chain of 50,000
/// ops overflowed the stack in debug builds when it was freed).
@Suite struct DeepGraphTests {
    /// x + 1 + 1 + ... (`depth` times), summed: its gradient is 1 per element.
    static func chain(_ x: Tensor, depth: Int) -> Tensor {
        var y = x
        for _ in 0..<depth { y = y + 1.0 }
        return y.sum()
    }

    /// A million ops on the tape: recorded, differentiated by `ReverseMode`
    /// and `backward()`, and freed.
    @Test func aMillionChainedOpsOnTheTape() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        do {
            let loss = Self.chain(x, depth: 1_000_000)
            #expect(loss.item() == 3 + 2_000_000)
            #expect(try ReverseMode().gradient(of: loss, withRespectTo: [x])[0].scalars == [1, 1])
            try loss.backward()
            #expect(x.grad?.scalars == [1, 1])
        }
        // The graph was freed at the end of the scope: no crash.
        #expect(x.grad?.scalars == [1, 1])
        // Binary ops whose inputs share a node: y·0.5 + y·0.5, 200,000 times.
        do {
            var y = x
            for _ in 0..<200_000 { y = y * 0.5 + y * 0.5 }
            #expect(try ReverseMode().gradient(of: y.sum(), withRespectTo: [x])[0].scalars == [1, 1])
        }
        // A node whose first input is also its second input's input:
        // y + y·0, 200,000 times. Freeing it must let go of the first before
        // asking whether the second's input is held only there.
        do {
            var y = x
            for _ in 0..<200_000 { y = y + y * 0.0 }
            let loss = y.sum()
            #expect(loss.item() == 3)
            #expect(try ReverseMode().gradient(of: loss, withRespectTo: [x])[0].scalars == [1, 1])
        }
    }

    /// The depth for the interpreting strategies: three times the depth that
    /// used to overflow, or a million with `AUTOGRAD_DEEP_TESTS` set in the
    /// environment (about 100 s per strategy in a debug build: CI runs it,
    /// `swift test` alone would take too long).
    static let interpretingDepth = ProcessInfo.processInfo.environment["AUTOGRAD_DEEP_TESTS"] == nil ? 150_000 : 1_000_000

    /// The strategies that interpret the recorded graph (forward mode, its
    /// Hessian-vector product, the exact reference, the compiled plan, the
    /// `Double` replay after `backward()` freed the saved values) and `dot()`.
    @Test func deepGraphsInEveryInterpretingStrategy() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let loss = Self.chain(x, depth: Self.interpretingDepth)
        #expect(try ForwardMode().gradient(of: loss, withRespectTo: [x])[0].scalars == [1, 1])
        let v = Tensor([1.0, -1])
        #expect(try ForwardMode().hessianVectorProduct(of: loss, withRespectTo: [x], along: [v])[0].scalars == [0, 0])
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.isExact && exact.tensors[0].scalars == [1, 1])
        // One fused region of every op, built and run without recursion.
        #expect(try CompiledReverseMode(threads: 2).gradient(of: loss, withRespectTo: [x])[0].scalars == [1, 1])
        let dot = RecordedGraph(loss).dot()
        #expect(dot.hasPrefix("digraph") && dot.contains("AddBackward"))
        try loss.backward()
        #expect(try ReverseMode().gradient(of: loss, withRespectTo: [x])[0].scalars == [1, 1])
    }
}
