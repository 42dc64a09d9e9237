import AutogradCore

extension ExactMode {
    /// What a replay over ``WordDyadic`` found: the exact gradients, the same
    /// rounded to `Double`, and the rule findings of its dot-product tests.
    struct WordDyadicResult {
        var gradients: [TensorValue<Rational>]
        var rounded: [Tensor]
        var findings: [RuleFinding]

        /// Adds one leaf's exact gradient and its rounding.
        mutating func append(_ exact: TensorValue<Rational>, rounded: TensorValue<Double>) {
            gradients.append(exact)
            self.rounded.append(Tensor(rounded))
        }
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
            guard let (exact, rounded) = replay.gradient(towards: leaf, threads: threads) else { return nil }
            result.append(exact, rounded: rounded)
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
            guard let exact = Self.rationals(gradient) else { return nil }
            result.append(TensorValue(shape: gradient.shape, scalars: exact),
                          rounded: TensorValue(shape: gradient.shape, scalars: exact.map(\.doubleValue)))
        }
        return result
    }

    /// Every element as a ``Rational``; `nil` if one is unknown.
    private static func rationals(_ gradient: TensorValue<WordDyadic>) -> [Rational]? {
        var rationals: [Rational] = []
        rationals.reserveCapacity(gradient.elementCount)
        let complete = gradient.withUnsafeBufferPointer { elements in
            for element in elements {
                guard let rational = element.rational else { return false }
                rationals.append(rational)
            }
            return true
        }
        return complete ? rationals : nil
    }
}
