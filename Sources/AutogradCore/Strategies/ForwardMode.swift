/// Forward-mode differentiation: propagates tangents through the recorded
/// graph with each op's forward rule (its `jvp`), in `Double`.
///
/// The graph is evaluated once in `Double` (the recorded values, bit for bit,
/// even after `backward()` freed them); tangents then flow from the seeded
/// leaves to the result, each node calling its op's `jvp`. So forward mode is
/// the strategy that exercises the ops' forward rules, as ``ReverseMode``
/// exercises their reverse rules (`vjp`): a custom op with a wrong `jvp` gives
/// a wrong forward gradient, one with a wrong `vjp` leaves it right, and the
/// cross-check tells which rule is at fault. Kinks follow the rules: the
/// derivative of `relu` and `abs` at 0 is 0, as in reverse mode and PyTorch.
///
/// A Jacobian–vector product takes one pass whatever the number of inputs; a
/// gradient of `n` input elements takes `⌈n/8⌉` passes of ``laneCount``
/// directions, so forward mode suits few inputs and reverse mode many. A
/// tangent that is identically zero (a part of the graph the seeded inputs do
/// not reach) is never formed, and one lane's infinity never reaches another
/// lane. Like ``ReverseMode``, it leaves `.grad` and the graph untouched.
///
/// ```swift
/// let loss = (predicted - real).pow(2).sum()
/// try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]   // 2 * (predicted - real)
/// ```
public struct ForwardMode: Differentiable {
    /// The directions (one seeded input element each) that one pass of
    /// ``gradient(of:withRespectTo:)`` propagates.
    ///
    /// ```swift
    /// ForwardMode.laneCount   // 8: a gradient of 24 elements takes 3 passes
    /// ```
    public static var laneCount: Int { 8 }

    /// Forward mode; it has no settings.
    ///
    /// ```swift
    /// let strategy: any AutogradCore.Differentiable = ForwardMode()
    /// ```
    public init() {}

    /// `"forward"`, the strategy's name in configuration and reports.
    ///
    /// ```swift
    /// ForwardMode().name   // "forward"
    /// ```
    public var name: String { "forward" }

    /// The gradient of a one-element `result` with respect to each of
    /// `leaves`, by the ops' forward rules: ``laneCount`` input elements per
    /// pass, each seeded with a unit tangent. Leaves the result does not
    /// depend on get zeros; a leaf listed twice gets its gradient twice.
    ///
    /// ```swift
    /// let x = Tensor([1.0, 2], requiresGrad: true)
    /// try ForwardMode().gradient(of: (x * x).sum(), withRespectTo: [x])[0]   // [2, 4]
    /// ```
    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> [Tensor] {
        try Tensor.checkDifferentiable(leaves)
        // As backward() and ReverseMode: a result that no recorded op made
        // from a leaf requiring gradients (a no-grad scope) has no gradient.
        guard result.requiresGrad else { throw AutogradError.doesNotRequireGrad }
        guard result.elementCount == 1 else { throw AutogradError.nonScalarBackward(shape: result.shape) }
        let propagation = try TangentPropagation(result)
        // Each distinct leaf that the result reads, with its slot; one lane per element.
        var distinct: [(leaf: Tensor, slot: Int)] = []
        for leaf in leaves where !distinct.contains(where: { $0.leaf === leaf }) {
            if let slot = propagation.slot(of: leaf) { distinct.append((leaf, slot)) }
        }
        var gradients = distinct.map { [Double](repeating: 0, count: $0.leaf.elementCount) }
        // The lanes' (leaf, element) pairs, in order, a chunk of them per pass.
        let directions = distinct.indices.flatMap { leaf in (0..<distinct[leaf].leaf.elementCount).map { (leaf, $0) } }
        var splatValues = [TensorValue<TangentLanes>?](repeating: nil, count: propagation.values.count)
        var first = 0
        while first < directions.count {
            let laneCount = Swift.min(Self.laneCount, directions.count - first)
            let chunk = directions[first..<(first + laneCount)]
            // One seed per leaf the chunk touches (its elements are consecutive
            // in `directions`): lane i is the unit tangent of the chunk's i-th element.
            var seeds: [(slot: Int, tangent: TensorValue<TangentLanes>)] = []
            var lane = 0
            while lane < laneCount {
                let leaf = chunk[first + lane].0, start = lane
                while lane < laneCount && chunk[first + lane].0 == leaf { lane += 1 }
                let shape = distinct[leaf].leaf.shape
                let seed = TensorValue<TangentLanes>(shape: shape) { out in
                    out.initialize(repeating: .zero, count: shape.elementCount)
                    for seeded in start..<lane { out[chunk[first + seeded].1].lanes[seeded] = 1 }
                }
                seeds.append((distinct[leaf].slot, seed))
            }
            let tangent = propagation.propagate(seeds: seeds, splatValues: &splatValues)?[flat: 0]
            for (lane, (leaf, element)) in chunk.enumerated() {
                gradients[leaf][element] = tangent?.lanes[lane] ?? 0
            }
            first += laneCount
        }
        return leaves.map { leaf in
            guard let index = distinct.firstIndex(where: { $0.leaf === leaf }) else { return Tensor(TensorValue<Double>.zeros(leaf.shape)) }
            return Tensor(gradients[index], shape: leaf.shape)
        }
    }

    /// The gradient of `function` at `point`, recording `function` once.
    ///
    /// ```swift
    /// try ForwardMode().gradient(at: [Tensor([1.0, -2, 3])]) { ($0[0] * $0[0]).sum() }[0]   // [2, -4, 6]
    /// ```
    public func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> [Tensor] {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }

    /// The result's value and its directional derivative when `leaves` move
    /// along `tangents` (the Jacobian–vector product), in one pass of the ops'
    /// forward rules.
    ///
    /// ```swift
    /// let (value, derivative) = try ForwardMode().jvp(of: y, at: [x], along: [Tensor.ones(3)])
    /// ```
    public func jvp(
        of result: Tensor, at leaves: [Tensor], along tangents: [Tensor]
    ) throws -> (value: Tensor, derivative: Tensor) {
        try Tensor.checkDifferentiable(leaves)
        try Self.checkTangents(tangents, for: leaves)
        let propagation = try TangentPropagation(result)
        var seeds: [(slot: Int, tangent: TensorValue<Double>)] = []
        for (leaf, tangent) in zip(leaves, tangents) {
            // A leaf listed twice moves along its first tangent.
            guard let slot = propagation.slot(of: leaf), !seeds.contains(where: { $0.slot == slot }) else { continue }
            seeds.append((slot, tangent.value))
        }
        let value = propagation.resultValue
        let derivative = propagation.propagate(seeds: seeds)
        return (Tensor(value), Tensor(derivative ?? .zeros(value.shape)))
    }

    /// The value and directional derivative of `function` at `point` along
    /// `tangents`, recording `function` once.
    ///
    /// ```swift
    /// let (value, derivative) = try ForwardMode().jvp(at: [x], along: [v]) { $0[0].exp() }   // eˣ, eˣ·v
    /// ```
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
