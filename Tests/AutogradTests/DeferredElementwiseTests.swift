import Autograd
import Testing

/// A large tensor that a built-in element-wise op of one tensor made computes
/// its values when first read, so that `sum()` and `mean()` add them up as
/// they are computed: the same bits as an op run at once, whoever reads them,
/// in whatever order, from however many tasks.
@Suite struct DeferredElementwiseTests {
    static let operations = BuiltInOperations.ofOneTensor

    /// Rows of 4,133 elements are below the size deferred; three of them
    /// (12,399 elements) are above it, in three summation blocks and a tail
    /// that is not a multiple of four.
    static let rowLength = 4_133, rowCount = 3

    static func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// The op on each row alone (computed at once), laid end to end.
    static func rowByRow(_ operation: @Sendable (Tensor) -> Tensor, _ rows: [Tensor]) -> [Double] {
        rows.flatMap { operation($0).scalars }
    }

    /// Values, sums and means of the whole tensor, deferred or not (with and
    /// without gradients, read before or after the sum), are those of the op
    /// run row by row, and of a plain tensor holding those values.
    @Test func everyBuiltInOpHasTheBitsOfTheOpRunAtOnce() throws {
        var generator = SeededGenerator(seed: 23)
        let rows = (0..<Self.rowCount).map { _ in Tensor.randn([Self.rowLength], using: &generator) }
        let whole = Tensor(TensorValue(shape: [Self.rowCount * Self.rowLength], scalars: rows.flatMap(\.scalars)))
        for (name, operation) in Self.operations {
            let expected = Self.rowByRow(operation, rows)
            let plain = Tensor(TensorValue(shape: whole.shape, scalars: expected))
            for requiresGrad in [false, true] {
                let x = whole.detach()
                x.requiresGrad = requiresGrad
                let sumFirst = operation(x)
                #expect(sumFirst.sum().item().bitPattern == plain.sum().item().bitPattern, "\(name): sum")
                #expect(sumFirst.mean().item().bitPattern == plain.mean().item().bitPattern, "\(name): mean")
                #expect(Self.sameBits(sumFirst.scalars, expected), "\(name): values read after the sum")
                let readFirst = operation(x)
                #expect(Self.sameBits(readFirst.scalars, expected), "\(name): values read first")
                #expect(readFirst.sum().item().bitPattern == plain.sum().item().bitPattern, "\(name): sum after the values")
            }
        }
    }

    /// The gradient through a deferred op is the op's gradient run row by row.
    @Test func gradientsThroughADeferredOpAreTheOpsRowByRow() throws {
        var generator = SeededGenerator(seed: 29)
        let rows = (0..<Self.rowCount).map { _ in Tensor.randn([Self.rowLength], requiresGrad: true, using: &generator) }
        let x = Tensor(TensorValue(shape: [Self.rowCount * Self.rowLength], scalars: rows.flatMap(\.scalars)), requiresGrad: true)
        for (name, operation) in Self.operations {
            x.zeroGrad()
            try operation(x).sum().backward()
            for row in rows {
                row.zeroGrad()
                try operation(row).sum().backward()
            }
            #expect(Self.sameBits(x.grad!.scalars, rows.flatMap { $0.grad!.scalars }), "\(name)")
        }
    }

    /// `x − y` and `x + y` of large tensors are deferred too, and an op of
    /// one tensor on them reads them a piece at a time: every value, sum,
    /// mean and gradient (through `sum()`, where the forward sum computes
    /// the op's reverse rule ahead; through `mean()`; with a seed other than
    /// the sum's own, which computes it in the backward pass; and twice on
    /// a retained graph) has the bits of the ops run row by row, at once.
    @Test func everyBuiltInOpOnADeferredSumOrDifferenceHasTheRowByRowBits() throws {
        var generator = SeededGenerator(seed: 47)
        func randomRows() -> [Tensor] {
            (0..<Self.rowCount).map { _ in Tensor.randn([Self.rowLength], using: &generator) }
        }
        let (xRows, yRows) = (randomRows(), randomRows())
        func whole(_ rows: [Tensor]) -> Tensor {
            Tensor(TensorValue(shape: [Self.rowCount * Self.rowLength], scalars: rows.flatMap(\.scalars)))
        }
        let count = Double(Self.rowCount * Self.rowLength)
        let pairs: [(String, @Sendable (Tensor, Tensor) -> Tensor)] = [("−", { $0 - $1 }), ("+", { $0 + $1 })]
        // How each loss is made from the op's values, and the loss's
        // gradient wrt them (for rows: the same seed, by a scaled sum).
        let losses: [(String, (Tensor) throws -> Tensor, (Tensor) throws -> Tensor)] = [
            ("sum", { $0.sum() }, { $0.sum() }),
            ("mean", { $0.mean() }, { $0.sum() * (1 / count) }),
            ("3 · sum", { $0.sum() * 3 }, { $0.sum() * 3 }),
        ]
        for (pairName, pair) in pairs {
            for (name, operation) in Self.operations {
                let label = "\(name) of x \(pairName) y"
                let expected = zip(xRows, yRows).flatMap { operation(pair($0, $1)).scalars }
                let plain = Tensor(TensorValue(shape: [Self.rowCount * Self.rowLength], scalars: expected))
                let (x, y) = (whole(xRows), whole(yRows))
                #expect(Self.sameBits(pair(x, y).scalars, zip(xRows, yRows).flatMap { pair($0, $1).scalars }), "\(label): the pair's values")
                #expect(operation(pair(x, y)).sum().item().bitPattern == plain.sum().item().bitPattern, "\(label): sum")
                #expect(operation(pair(x, y)).mean().item().bitPattern == plain.mean().item().bitPattern, "\(label): mean")
                #expect(Self.sameBits(operation(pair(x, y)).scalars, expected), "\(label): values")
                for (lossName, loss, rowLoss) in losses {
                    for retainsGraph in [false, true] {
                        x.requiresGrad = true
                        y.requiresGrad = true
                        (x.grad, y.grad) = (nil, nil)
                        let total = try loss(operation(pair(x, y)))
                        try total.backward(retainGraph: retainsGraph)
                        if retainsGraph { try total.backward() }
                        var (xGradients, yGradients): ([Double], [Double]) = ([], [])
                        for (xRow, yRow) in zip(xRows, yRows) {
                            let (a, b) = (xRow.detach(), yRow.detach())
                            a.requiresGrad = true
                            b.requiresGrad = true
                            let rowTotal = try rowLoss(operation(pair(a, b)))
                            try rowTotal.backward(retainGraph: retainsGraph)
                            if retainsGraph { try rowTotal.backward() }
                            xGradients += a.grad!.scalars
                            yGradients += b.grad!.scalars
                        }
                        let how = "\(label), \(lossName)\(retainsGraph ? ", twice" : "")"
                        #expect(Self.sameBits(x.grad!.scalars, xGradients), "\(how): x's gradient")
                        #expect(Self.sameBits(y.grad!.scalars, yGradients), "\(how): y's gradient")
                    }
                }
            }
        }
    }

    /// The gradient a recorded sum computes ahead is never handed on once a
    /// leaf it read has changed: the backward pass refuses the graph, as it
    /// refuses any, and changes nothing.
    @Test func aLeafChangedAfterTheSumIsRefusedByTheBackwardPass() throws {
        var generator = SeededGenerator(seed: 53)
        let predicted = Tensor.randn([10_000], requiresGrad: true, using: &generator)
        let real = Tensor.randn([10_000], using: &generator)
        let loss = (predicted - real).pow(2).sum()
        try withNoGrad { try real.fill(3) }
        #expect(throws: AutogradError.modifiedInPlace(node: "SubBackward", shape: [10_000], recordedVersion: 0, version: 1)) {
            try loss.backward()
        }
        #expect(predicted.grad == nil)
    }

    /// A deferred tensor passed to a compiled function is read as its values:
    /// the call into kept buffers, which reads its inputs' elements in
    /// place, gets what it gets from a plain tensor holding them.
    @Test func aCompiledCallReadsADeferredInputsValues() throws {
        var generator = SeededGenerator(seed: 43)
        let predicted = Tensor.randn([10_000], using: &generator)
        let real = Tensor.randn([10_000], using: &generator)
        let compiled = try CompiledFunction(tracingAt: [predicted, real], withRespectTo: [0]) { x in
            (x[0] - x[1]).pow(2).sum()
        }
        let doubled = predicted * 2
        let plain = Tensor(TensorValue(shape: [10_000], scalars: predicted.scalars.map { $0 * 2 }))
        var fromDeferred: [TensorValue<Double>] = [], fromPlain: [TensorValue<Double>] = []
        let value = try compiled.valueWithGradient([doubled, real], into: &fromDeferred)
        let expected = try compiled.valueWithGradient([plain, real], into: &fromPlain)
        #expect(value.bitPattern == expected.bitPattern)
        #expect(Self.sameBits(fromDeferred[0].scalars, fromPlain[0].scalars))
    }

    /// Tasks reading one deferred tensor at once all get the same values,
    /// computed once. (Under ThreadSanitizer, `scripts/check-tsan.sh`, it
    /// also shows that the first read is ordered before the others.)
    @Test func tasksReadingADeferredTensorGetOneSetOfValues() async {
        var generator = SeededGenerator(seed: 37)
        let x = Tensor.randn([3 * 4_096 + 5], using: &generator)
        let expected = x.scalars.map { $0 * $0 * $0 }
        for _ in 0..<4 {
            let cubes = x.pow(3)
            let results = await withTaskGroup(of: (values: [Double], sum: Double).self) { group in
                for _ in 0..<4 { group.addTask { (cubes.scalars, cubes.sum().item()) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let plainSum = Tensor(TensorValue(shape: x.shape, scalars: expected)).sum().item()
            #expect(results.allSatisfy { Self.sameBits($0.values, expected) && $0.sum.bitPattern == plainSum.bitPattern })
        }
    }

    /// An in-place op replaces the deferred values: what is read after it
    /// (the values, the sum) is the new values', and the version counts it.
    @Test func anInPlaceOpReplacesDeferredValues() throws {
        var generator = SeededGenerator(seed: 41)
        let x = Tensor.randn([10_000], using: &generator)
        let doubled = x * 2
        try doubled += 1
        let expected = x.scalars.map { $0 * 2 + 1 }
        #expect(doubled.version == 1)
        #expect(Self.sameBits(doubled.scalars, expected))
        #expect(doubled.sum().item().bitPattern == Tensor(TensorValue(shape: [10_000], scalars: expected)).sum().item().bitPattern)
    }
}
