/// Reverse mode through a compiled plan (``CompiledFunction``): the recorded
/// graph's element-wise chains and their sums fused into blocked loops, spread
/// over threads. Its gradients are the tape's (``ReverseMode``), bit for bit,
/// whatever the thread count; what changes is the number of passes over memory.
///
/// Each call compiles the graph it is given; to differentiate one function
/// many times, compile it once with ``CompiledFunction`` instead.
///
/// ```swift
/// let loss = (predicted - real).pow(2).sum()
/// try CompiledReverseMode(threads: 2).gradient(of: loss, withRespectTo: [predicted])[0]
/// ```
public struct CompiledReverseMode: Differentiable {
    /// The number of threads a plan may use.
    public let threads: Int

    /// The strategy, running plans on up to `threads` threads (by default the machine's cores).
    public init(threads: Int = CompiledFunction.defaultThreadCount) {
        self.threads = Swift.max(1, threads)
    }

    public var name: String { "compiled" }

    public func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws(AutogradError) -> [Tensor] {
        try Tensor.checkDifferentiable(leaves)
        guard result.requiresGrad else { throw .doesNotRequireGrad }
        let compiled = try CompiledFunction(
            result: result, inputs: leaves, withRespectTo: nil, threads: threads, atRecordedValues: true)
        return try compiled.valueWithGradient(leaves).gradient
    }

    public func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws(AutogradError) -> [Tensor] {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }
}
