import RealModule

/// Adam: per-element step sizes from running averages of the gradient and
/// its square, PyTorch's `torch.optim.Adam` step for step (its formulas and
/// their order of operations).
///
/// For each parameter p with gradient g, at step t, with β₁, β₂, ε, learning
/// rate η and weight decay λ (an L2 penalty added to the gradient):
///
///     g ← g + λ·p
///     m ← m + (1 − β₁)·(g − m)               (PyTorch's lerp)
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// ```swift
/// var optimizer = try Adam(model.parameters, learningRate: 1e-3)
/// optimizer.zeroGrad(); try loss.backward(); optimizer.step()
/// ```
public struct Adam: Optimizer {
    public var parameters: [Tensor] { moments.parameters }
    /// η, the step size.
    public var learningRate: Double
    /// λ, the L2 penalty's coefficient added to each gradient.
    public let weightDecay: Double
    private var moments: AdamMoments

    /// An optimizer for `parameters` (leaves), with PyTorch's defaults.
    /// Throws ``OptimizerError`` for a negative learning rate, ε or weight
    /// decay, a β outside [0, 1), or a parameter that is not a leaf.
    public init(
        _ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0
    ) throws(OptimizerError) {
        try checkSetting("weight decay", weightDecay, expected: "a finite number, 0 or more") { $0 >= 0 && $0.isFinite }
        moments = try AdamMoments(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon)
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public mutating func step() {
        moments.step(learningRate: learningRate, penalty: weightDecay, shrink: 1)
    }
}

/// AdamW: Adam with decoupled weight decay (Loshchilov and Hutter),
/// PyTorch's `torch.optim.AdamW` step for step: each step first shrinks the
/// parameters, p ← p·(1 − η·λ), then takes Adam's step without the penalty.
///
/// ```swift
/// var optimizer = try AdamW(model.parameters, learningRate: 1e-3, weightDecay: 0.01)
/// ```
public struct AdamW: Optimizer {
    public var parameters: [Tensor] { moments.parameters }
    /// η, the step size.
    public var learningRate: Double
    /// λ, the decay applied to the parameters themselves at each step.
    public let weightDecay: Double
    private var moments: AdamMoments

    /// An optimizer for `parameters` (leaves), with PyTorch's defaults
    /// (weight decay 0.01). Throws as ``Adam/init(_:learningRate:betas:epsilon:weightDecay:)``.
    public init(
        _ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0.01
    ) throws(OptimizerError) {
        try checkSetting("weight decay", weightDecay, expected: "a finite number, 0 or more") { $0 >= 0 && $0.isFinite }
        moments = try AdamMoments(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon)
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public mutating func step() {
        moments.step(learningRate: learningRate, penalty: 0, shrink: 1 - learningRate * weightDecay)
    }
}

/// Adam's state and step, shared by ``Adam`` and ``AdamW``: the running
/// averages m and v of each parameter and the step count.
struct AdamMoments {
    let parameters: [Tensor]
    let beta1: Double, beta2: Double, epsilon: Double
    private var first: [TensorValue<Double>?]
    private var second: [TensorValue<Double>?]
    private var steps: [Int]

    init(_ parameters: [Tensor], learningRate: Double, betas: (Double, Double), epsilon: Double) throws(OptimizerError) {
        try checkSetting("learning rate", learningRate, expected: "a finite number, 0 or more") { $0 >= 0 && $0.isFinite }
        try checkSetting("epsilon", epsilon, expected: "a finite number, 0 or more") { $0 >= 0 && $0.isFinite }
        try checkSetting("beta1", betas.0, expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 }
        try checkSetting("beta2", betas.1, expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 }
        try checkLeaves(parameters)
        self.parameters = parameters
        (beta1, beta2, self.epsilon) = (betas.0, betas.1, epsilon)
        first = parameters.map { _ in nil }
        second = parameters.map { _ in nil }
        steps = parameters.map { _ in 0 }
    }

    /// One step of every parameter with a gradient, in one pass over its
    /// elements: the gradient gets `penalty` times the parameter (Adam's
    /// weight decay), and the parameter is multiplied by `shrink` (AdamW's)
    /// before the step.
    mutating func step(learningRate: Double, penalty: Double, shrink: Double) {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad?.value else { continue }
            steps[index] += 1
            let t = Double(steps[index])
            let stepSize = learningRate / (1 - Double.pow(beta1, t))
            let correction2 = (1 - Double.pow(beta2, t)).squareRoot()
            let (beta2, epsilon, weight, shape) = (beta2, epsilon, 1 - beta1, parameter.shape)
            // The averages start at 0 (allocated once, on the first step).
            let (oldFirst, oldSecond) = (first[index] ?? .zeros(shape), second[index] ?? .zeros(shape))
            var second: TensorValue<Double>?, updated: TensorValue<Double>?
            let first = parameter.value.withUnsafeBufferPointer { p in
                grad.withUnsafeBufferPointer { g in
                    oldFirst.withUnsafeBufferPointer { m0 in
                        oldSecond.withUnsafeBufferPointer { v0 in
                            TensorValue<Double>(shape: shape) { mOut in
                                second = TensorValue<Double>(shape: shape) { vOut in
                                    updated = TensorValue<Double>(shape: shape) { pOut in
                                        for i in 0..<p.count {
                                            let gi = penalty == 0 ? g[i] : g[i] + penalty * p[i]
                                            let m = Self.lerp(m0[i], gi, weight)
                                            let v = beta2 * v0[i] + (1 - beta2) * gi * gi
                                            (mOut + i).initialize(to: m)
                                            (vOut + i).initialize(to: v)
                                            (pOut + i).initialize(to: p[i] * shrink - stepSize * (m / (v.squareRoot() / correction2 + epsilon)))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (self.first[index], self.second[index]) = (first, second)
            parameter.replaceInPlace(updated!, gradFn: parameter.gradFn)
        }
    }

    /// PyTorch's `lerp(a, b, w)`: `a + w·(b − a)` for |w| < ½, else
    /// `b − (b − a)·(1 − w)`.
    static func lerp(_ a: Double, _ b: Double, _ weight: Double) -> Double {
        Swift.abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
    }
}
