// What every strategy does before differentiating: check the tensors it is
// asked about, or record a function once on fresh leaves.

extension Tensor {
    /// Throws unless every tensor is a leaf that requires gradients: what every
    /// strategy checks first.
    public static func checkDifferentiable(_ leaves: [Tensor]) throws(AutogradError) {
        for (index, leaf) in leaves.enumerated() {
            guard leaf.isLeaf else { throw .inputIsNotLeaf(index: index) }
            guard leaf.requiresGrad else { throw .inputDoesNotRequireGrad(index: index) }
        }
    }

    /// Records `function` once on fresh leaves holding `point`'s values (even
    /// inside a no-grad scope), for a strategy to differentiate the trace.
    ///
    /// Every operation inside `function` is recorded, also on tensors that do
    /// not require gradients, so constants computed inside (`c * c + 1` for a
    /// constant tensor `c`) are part of the graph: the exact strategy computes
    /// them exactly. Tensors made outside `function` stay leaves, taken as given.
    ///
    /// ```swift
    /// let (inputs, loss) = Tensor.trace(at: [Tensor([1.0, 2])]) { ($0[0] * Tensor(3.0).exp()).sum() }
    /// loss.gradFn!   // SumBackward; Exp(3) is recorded too
    /// ```
    public static func trace(
        at point: [Tensor], of function: ([Tensor]) -> Tensor
    ) -> (inputs: [Tensor], result: Tensor) {
        let inputs = point.map { Tensor($0.value, requiresGrad: true) }
        let result = withGradEnabled(true) { GradMode.$recordsConstants.withValue(true) { function(inputs) } }
        return (inputs, result)
    }
}
