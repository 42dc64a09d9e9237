/// Stochastic gradient descent with optional momentum (heavy-ball or
/// Nesterov) and weight decay: PyTorch's `torch.optim.SGD`, step for step.
///
/// For each parameter p with gradient g, with weight decay λ, momentum μ,
/// dampening τ and learning rate η:
///
///     g ← g + λ·p
///     b ← g on the first step, else μ·b + (1 − τ)·g      (when μ ≠ 0)
///     g ← g + μ·b with Nesterov, else b                    (when μ ≠ 0)
///     p ← p − η·g
///
/// ```swift
/// var optimizer = try SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
/// optimizer.zeroGrad(); try loss.backward(); optimizer.step()
/// ```
public struct SGD: Optimizer {
    public let parameters: [Tensor]
    /// η, the step size.
    public var learningRate: Double
    /// μ; 0 for plain gradient descent.
    public let momentum: Double
    /// τ, how much of the new gradient the momentum buffer leaves out.
    public let dampening: Double
    /// λ, the L2 penalty's coefficient added to each gradient.
    public let weightDecay: Double
    /// Whether the step looks ahead along the momentum (Nesterov).
    public let nesterov: Bool
    /// Each parameter's momentum buffer, after its first step with momentum.
    private var momentumBuffers: [TensorValue<Double>?]

    /// An optimizer for `parameters` (leaves), with PyTorch's defaults.
    /// Throws ``OptimizerError`` for a negative learning rate, momentum or
    /// weight decay, for Nesterov without momentum or with dampening, and for
    /// a parameter that is not a leaf.
    public init(
        _ parameters: [Tensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) throws(OptimizerError) {
        let nonNegative = "a finite number, 0 or more"
        try checkSetting("learning rate", learningRate, expected: nonNegative) { $0 >= 0 && $0.isFinite }
        try checkSetting("momentum", momentum, expected: nonNegative) { $0 >= 0 && $0.isFinite }
        try checkSetting("dampening", dampening, expected: "a finite number") { $0.isFinite }
        try checkSetting("weight decay", weightDecay, expected: nonNegative) { $0 >= 0 && $0.isFinite }
        if nesterov && (momentum == 0 || dampening != 0) { throw .nesterovNeedsMomentumWithoutDampening }
        try checkLeaves(parameters)
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = parameters.map { _ in nil }
    }

    public mutating func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad?.value else { continue }
            var direction = weightDecay == 0 ? grad : elementwise(grad, parameter.value) { $0 + weightDecay * $1 }
            if momentum != 0 {
                let buffer = momentumBuffers[index].map { old in
                    elementwise(old, direction) { momentum * $0 + (1 - dampening) * $1 }
                } ?? direction
                momentumBuffers[index] = buffer
                direction = nesterov ? elementwise(direction, buffer) { $0 + momentum * $1 } : buffer
            }
            let learningRate = learningRate
            parameter.replaceInPlace(elementwise(parameter.value, direction) { p, g in p - learningRate * g }, gradFn: parameter.gradFn)
        }
    }
}

/// `combine(a[i], b[i])` for two values of one shape.
func elementwise(
    _ a: TensorValue<Double>, _ b: TensorValue<Double>, _ combine: (Double, Double) -> Double
) -> TensorValue<Double> {
    a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
            TensorValue<Double>(shape: a.shape) { out in
                for i in 0..<x.count { (out + i).initialize(to: combine(x[i], y[i])) }
            }
        }
    }
}
