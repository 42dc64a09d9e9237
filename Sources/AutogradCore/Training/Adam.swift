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
        let weightDecay = weightDecay
        moments.step(learningRate: learningRate, shrink: 1) { parameter, grad in
            weightDecay == 0 ? grad : elementwise(grad, parameter.value) { $0 + weightDecay * $1 }
        }
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
        moments.step(learningRate: learningRate, shrink: 1 - learningRate * weightDecay) { _, grad in grad }
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

    /// One step of every parameter with a gradient: `prepare` turns the
    /// gradient into the one the averages take (adding a penalty), and the
    /// parameter is multiplied by `shrink` (AdamW's decay) before the step.
    mutating func step(
        learningRate: Double, shrink: Double, prepare: (Tensor, TensorValue<Double>) -> TensorValue<Double>
    ) {
        for (index, parameter) in parameters.enumerated() {
            guard let rawGrad = parameter.grad?.value else { continue }
            let grad = prepare(parameter, rawGrad)
            steps[index] += 1
            let zeros = TensorValue<Double>.zeros(parameter.shape)
            let weight = 1 - beta1
            let m = elementwise(first[index] ?? zeros, grad) { m, g in Self.lerp(m, g, weight) }
            let v = elementwise(second[index] ?? zeros, grad) { [beta2] v, g in beta2 * v + (1 - beta2) * g * g }
            (first[index], second[index]) = (m, v)
            let t = Double(steps[index])
            let stepSize = learningRate / (1 - Double.pow(beta1, t))
            let correction2 = (1 - Double.pow(beta2, t)).squareRoot()
            let epsilon = epsilon
            m.withUnsafeBufferPointer { m in
                v.withUnsafeBufferPointer { v in
                    parameter.updateParameter(grad) { i, p, _ in
                        p * shrink - stepSize * (m[i] / (v[i].squareRoot() / correction2 + epsilon))
                    }
                }
            }
        }
    }

    /// PyTorch's `lerp(a, b, w)`: `a + w·(b − a)` for |w| < ½, else
    /// `b − (b − a)·(1 − w)`.
    static func lerp(_ a: Double, _ b: Double, _ weight: Double) -> Double {
        Swift.abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
    }
}
