/// Forward-mode differentiation: replays the recorded graph over dual numbers.
///
/// A Jacobian–vector product takes one pass whatever the number of inputs; a
/// gradient of `n` input elements takes `⌈n/8⌉` passes of 8-lane
/// ``MultiDual``s, so forward mode suits few inputs and reverse mode many.
/// Like ``ReverseMode``, it leaves `.grad` and the graph untouched.
///
/// ```swift
/// let loss = (predicted - real).pow(2).sum()
/// try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]   // 2 * (predicted - real)
/// ```
public struct ForwardMode: Differentiable {
    /// The lanes of one pass of ``gradient(of:withRespectTo:)``.
    public typealias Lanes = MultiDual<8, Double>

    public init() {}

    public var name: String { "forward" }

    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> [Tensor] {
        try Tensor.checkDifferentiable(leaves)
        guard result.elementCount == 1 else { throw AutogradError.nonScalarBackward(shape: result.shape) }
        let graph = RecordedGraph(result)
        var offsets: [Int] = []
        var total = 0
        for leaf in leaves {
            offsets.append(total)
            total += leaf.elementCount
        }
        var gradient = [Double](repeating: 0, count: total)
        var first = 0
        while first < total {
            try PerturbationTag.withFresh { tag in
                let output: TensorValue<Lanes> = try graph.evaluate { leaf in
                    guard let index = leaves.firstIndex(where: { $0 === leaf }) else {
                        return leaf.value.map(Lanes.init(constant:))
                    }
                    let lane0 = offsets[index] - first
                    return leaf.value.mapIndexed { position, x in
                        Lanes(x, tag: tag) { $0 == position + lane0 ? 1 : 0 }
                    }
                }
                let y = output[flat: 0]
                guard y.carries(tag) else { return }
                for lane in 0..<Swift.min(Lanes.laneCount, total - first) { gradient[first + lane] = y.tangent(lane: lane) }
            }
            first += Lanes.laneCount
        }
        return leaves.map { leaf in
            // A leaf listed twice was seeded at its first place only.
            let start = offsets[leaves.firstIndex { $0 === leaf }!]
            return Tensor(Array(gradient[start..<(start + leaf.elementCount)]), shape: leaf.shape)
        }
    }

    public func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> [Tensor] {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }

    /// The result's value and its directional derivative when `leaves` move
    /// along `tangents` (the Jacobian–vector product), in one pass over duals.
    ///
    /// ```swift
    /// let (value, derivative) = try ForwardMode().jvp(of: y, at: [x], along: [Tensor.ones(3)])
    /// ```
    public func jvp(
        of result: Tensor, at leaves: [Tensor], along tangents: [Tensor]
    ) throws -> (value: Tensor, derivative: Tensor) {
        try Tensor.checkDifferentiable(leaves)
        try Self.checkTangents(tangents, for: leaves)
        return try PerturbationTag.withFresh { tag in
            let output: TensorValue<Dual<Double>> = try RecordedGraph(result).evaluate { leaf in
                guard let index = leaves.firstIndex(where: { $0 === leaf }) else {
                    return leaf.value.map(Dual.init(constant:))
                }
                return TensorValue.broadcasting(leaf.value, tangents[index].value, op: "jvp") {
                    Dual($0, tangent: $1, tag: tag)
                }
            }
            return (Tensor(output.map(\.value)), Tensor(output.map { $0.carries(tag) ? $0.tangent : 0 }))
        }
    }

    /// The value and directional derivative of `function` at `point` along
    /// `tangents`, recording `function` once.
    public func jvp(
        at point: [Tensor], along tangents: [Tensor], of function: ([Tensor]) -> Tensor
    ) throws -> (value: Tensor, derivative: Tensor) {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try jvp(of: result, at: inputs, along: tangents)
    }

    /// The Hessian of a one-element result times `directions` (forward over
    /// reverse: the recorded reverse pass replayed over duals seeded with the
    /// directions), without forming the Hessian.
    ///
    /// ```swift
    /// // The lesson's loss Σ(p − r)² has Hessian 2·I:
    /// try ForwardMode().hessianVectorProduct(of: loss, withRespectTo: [predicted], along: [v])[0]   // 2 * v
    /// ```
    public func hessianVectorProduct(
        of result: Tensor, withRespectTo leaves: [Tensor], along directions: [Tensor]
    ) throws -> [Tensor] {
        try Tensor.checkDifferentiable(leaves)
        try Self.checkTangents(directions, for: leaves)
        return try PerturbationTag.withFresh { tag in
            let gradients: [TensorValue<Dual<Double>>] = try RecordedGraph(result).gradient(withRespectTo: leaves) { leaf in
                guard let index = leaves.firstIndex(where: { $0 === leaf }) else {
                    return leaf.value.map(Dual.init(constant:))
                }
                return TensorValue.broadcasting(leaf.value, directions[index].value, op: "hessianVectorProduct") {
                    Dual($0, tangent: $1, tag: tag)
                }
            }
            return gradients.map { gradient in Tensor(gradient.map { $0.carries(tag) ? $0.tangent : 0 }) }
        }
    }

    /// Throws unless each tangent has its input's shape.
    static func checkTangents(_ tangents: [Tensor], for leaves: [Tensor]) throws(AutogradError) {
        guard tangents.count == leaves.count else {
            throw .tangentCountMismatch(expected: leaves.count, got: tangents.count)
        }
        for (index, (tangent, leaf)) in zip(tangents, leaves).enumerated() where tangent.shape != leaf.shape {
            throw .tangentShapeMismatch(index: index, expected: leaf.shape, got: tangent.shape)
        }
    }
}
