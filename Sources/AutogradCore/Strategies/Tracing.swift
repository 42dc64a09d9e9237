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
    public static func trace(
        at point: [Tensor], of function: ([Tensor]) -> Tensor
    ) -> (inputs: [Tensor], result: Tensor) {
        let inputs = point.map { Tensor($0.value, requiresGrad: true) }
        return (inputs, withGradEnabled(true) { function(inputs) })
    }
}
