import AutogradCore
import Foundation
import Testing

/// A recorded graph drawn in Graphviz's DOT language.
@Suite struct GraphDOTTests {
    @Test func theLessonLossHasItsLeavesOpsAndEdges() {
        var generator = SeededGenerator(seed: 1)
        let real = Tensor.rand([3, 8], using: &generator)
        let predicted = Tensor.rand([3, 8], requiresGrad: true, using: &generator)
        let loss = (predicted - real).pow(2).sum()
        let dot = RecordedGraph(loss).dot(
            names: [ObjectIdentifier(predicted): "predicted", ObjectIdentifier(real): "real"], resultName: "loss"
        )
        #expect(dot.hasPrefix("digraph autograd {") && dot.hasSuffix("}"))
        #expect(dot.contains(#"leaf0 [label="predicted\n[3, 8]\nrequiresGrad", fillcolor=lightblue];"#))
        #expect(dot.contains(#"leaf1 [label="real\n[3, 8]", fillcolor=white];"#))
        #expect(dot.contains(#"op0 [label="SubBackward", fillcolor=lightgrey];"#))
        #expect(dot.contains(#"op2 [label="SumBackward\nloss []", fillcolor=darkolivegreen1];"#))
        let edges = dot.split(separator: "\n").filter { $0.contains("->") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(edges == ["leaf0 -> op0;", "leaf1 -> op0;", "op0 -> op1;", "op1 -> op2;"])
    }

    @Test func aTensorUsedTwiceHasTwoEdgesAndQuotesAreEscaped() {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let dot = RecordedGraph((x * x).sum()).dot(names: [ObjectIdentifier(x): "say \"x\""])
        #expect(dot.components(separatedBy: "leaf0 -> op0;").count == 3)
        #expect(dot.contains(#"say \"x\""#))
    }
}
