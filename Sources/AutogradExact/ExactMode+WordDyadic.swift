import AutogradCore

extension ExactMode {
    /// What a replay over ``WordDyadic`` found: the exact gradients, the same
    /// rounded to `Double`, and the rule findings of its dot-product tests.
    struct WordDyadicResult {
        var gradients: [TensorValue<Rational>]
        var rounded: [Tensor]
        var findings: [RuleFinding]
    }

    /// The exact gradients of a graph of field ops by a replay over
    /// ``WordDyadic`` (machine words, no GMP); `nil` when the words cannot
    /// tell: a requested element is unknown, a comparison read an unknown, or
    /// the replay threw. The replay over ``Rational`` then decides (and
    /// throws the typed error, if any).
    ///
    /// It derives every derivative as the ``Rational`` replay does (the same
    /// ``ReferenceRun`` and ``ReferencePass``, whose arithmetic is exact in
    /// both scalars), so a known result is that replay's.
    func wordDyadicGradients(_ graph: RecordedGraph, _ leaves: [Tensor]) -> WordDyadicResult? {
        let recorder = ExactFaultRecorder()
        let result = ExactFaultRecorder.$current.withValue(recorder) {
            if let replay = ElementwiseSumReplay(graph) { return elementwiseSumGradients(replay, leaves) }
            return try? graphGradients(graph, leaves)
        }
        guard !recorder.readUnknown, recorder.first == nil else { return nil }
        return result
    }

    /// By ``ElementwiseSumReplay``, element by element.
    private func elementwiseSumGradients(_ replay: ElementwiseSumReplay, _ leaves: [Tensor]) -> WordDyadicResult? {
        var result = WordDyadicResult(gradients: [], rounded: [], findings: [])
        for leaf in leaves {
            guard let exact = replay.gradient(towards: leaf) else { return nil }
            result.gradients.append(TensorValue(shape: leaf.shape, scalars: exact))
            result.rounded.append(Tensor(exact.map(\.doubleValue), shape: leaf.shape))
        }
        return result
    }

    /// By ``ReferenceRun`` and ``ReferencePass`` over tensors of word dyadics.
    private func graphGradients(_ graph: RecordedGraph, _ leaves: [Tensor]) throws -> WordDyadicResult? {
        let run = try ReferenceRun(graph, towards: leaves, elementary: .fieldOnly) { $0.value.map(WordDyadic.init(_:)) }
        var pass = ReferencePass(run, elementary: .fieldOnly, auditing: false)
        let replayed = try pass.gradient(withRespectTo: leaves)
        var result = WordDyadicResult(gradients: [], rounded: [], findings: replayed.findings)
        for gradient in replayed.gradients {
            guard let (exact, rounded) = Self.rationalsAndDoubles(gradient) else { return nil }
            result.gradients.append(exact)
            result.rounded.append(Tensor(rounded))
        }
        return result
    }

    /// Every element as a ``Rational`` and as the nearest `Double`, in one
    /// pass; `nil` if one is unknown.
    private static func rationalsAndDoubles(_ gradient: TensorValue<WordDyadic>) -> (TensorValue<Rational>, TensorValue<Double>)? {
        var rationals: [Rational] = [], doubles: [Double] = []
        rationals.reserveCapacity(gradient.elementCount)
        doubles.reserveCapacity(gradient.elementCount)
        let complete = gradient.withUnsafeBufferPointer { elements in
            for element in elements {
                guard let small = element.known else { return false }
                let rational = Rational(small: small)
                rationals.append(rational)
                doubles.append(small.doubleValue ?? rational.doubleValue)
            }
            return true
        }
        guard complete else { return nil }
        return (TensorValue(shape: gradient.shape, scalars: rationals), TensorValue(shape: gradient.shape, scalars: doubles))
    }
}
