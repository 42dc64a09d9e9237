/// Reverse-mode differentiation on the recorded tape: one backward pass gives
/// the gradient with respect to every input, with PyTorch's rules.
///
/// Unlike `backward()`, it returns the gradients (like `torch.autograd.grad`)
/// and leaves `.grad` and the graph untouched, so other strategies can
/// differentiate the same result afterwards, or at the same time from other
/// tasks. After `backward()` has freed the
/// graph's saved values, it replays the recorded graph in `Double` with the
/// same rules instead, which gives the same gradient bit for bit.
///
/// ```swift
/// let x = Tensor([1.0, 2, 3], requiresGrad: true)
/// let y = (x * x).sum()
/// try ReverseMode().gradient(of: y, withRespectTo: [x])[0]   // tensor([2., 4., 6.])
/// ```
public struct ReverseMode: Differentiable {
    public init() {}

    public var name: String { "reverse" }

    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws(AutogradError) -> [Tensor] {
        try Tensor.checkDifferentiable(leaves)
        guard result.requiresGrad else { throw .doesNotRequireGrad }
        let seed = try result.seedGradient(nil)
        var gradients = [TensorValue<Double>?](repeating: nil, count: leaves.count)
        do {
            try Backpropagation.run(
                from: result, seed: seed, retainGraph: true,
                wants: { leaf in leaves.contains { $0 === leaf } },
                deliver: { leaf, contribution in
                    for index in leaves.indices where leaves[index] === leaf {
                        gradients[index] = gradients[index].map { $0.adding(contribution) } ?? contribution
                    }
                }
            )
        } catch .graphFreed, .graphInUse {
            // backward() freed the saved values (or another task's backward()
            // is freeing them): nothing was delivered; replay instead.
            return try Self.replayedGradient(of: result, withRespectTo: leaves)
        }
        return leaves.indices.map { Tensor(gradients[$0] ?? .zeros(leaves[$0].shape)) }
    }

    /// The gradient by replaying the recorded graph in `Double`: the same vjp
    /// rules on recomputed values, so the same result as the tape.
    static func replayedGradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws(AutogradError) -> [Tensor] {
        do {
            return try RecordedGraph(result).gradient(withRespectTo: leaves) { $0.value }.map { Tensor($0) }
        } catch let error as AutogradError {
            throw error
        } catch {
            preconditionFailure("a Double replay throws only AutogradError, got \(error)")
        }
    }

    public func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws(AutogradError) -> [Tensor] {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }
}
