import RealModule

/// The lesson continued: a small classifier that learns two interleaved half
/// moons, trained with the configured strategy's gradients and Adam, its
/// last step's gradient checked against the exact reference.
///
/// Each step is PyTorch's `zero_grad(); loss.backward(); step()`, with the
/// gradient from the configured backend (`reverse` is `backward()` itself):
///
/// ```swift
/// optimizer.zeroGrad()
/// let loss = binaryCrossEntropyWithLogits(model(points), labels)
/// for (parameter, gradient) in zip(model.parameters, try strategy.gradient(of: loss, withRespectTo: model.parameters).tensors) {
///     parameter.grad = gradient
/// }
/// optimizer.step()
/// ```
///
/// ```swift
/// let run = try MoonsTraining(configuration: AutogradConfiguration.load()).run { print($0.step, $0.loss) }
/// run.accuracy          // about 1 after 300 steps
/// run.finalCheck        // forward and reverse against the exact gradient
/// ```
public struct MoonsTraining: Sendable {
    /// One step's figures, reported as training goes.
    public struct Progress: Sendable, Codable {
        /// The step, from 1.
        public let step: Int
        /// The loss before the step's update.
        public let loss: Double
        /// The fraction of points classified right before the update.
        public let accuracy: Double
    }

    /// What a run ends with.
    public struct Result: Sendable, Codable {
        /// Every step's figures.
        public let progress: [Progress]
        /// The loss after the last update.
        public let loss: Double
        /// The fraction of points classified right after the last update.
        public let accuracy: Double
        /// The gradient of the last step's loss with respect to every weight
        /// and bias, by each float strategy, against the exact reference.
        public let finalCheck: [GradientCheckResult]
    }

    /// The configuration: the backend computing the training gradients and the seed.
    public let configuration: AutogradConfiguration
    /// Updates of the parameters.
    public var steps = 300
    /// Points per moon.
    public var pointsPerMoon = 64
    /// Width of the hidden layer.
    public var hidden = 16
    /// Adam's learning rate.
    public var learningRate = 0.05

    /// A run with `configuration`'s backend and seed and the default sizes.
    public init(configuration: AutogradConfiguration) {
        self.configuration = configuration
    }

    /// Two half moons of `pointsPerMoon` points each, with Gaussian noise of
    /// 0.1: points `[2n, 2]` and labels `[2n, 1]` (0 for the upper moon).
    public static func moons(pointsPerMoon: Int, using generator: inout SeededGenerator) -> (points: Tensor, labels: Tensor) {
        var points: [Double] = [], labels: [Double] = []
        for moon in 0..<2 {
            for index in 0..<pointsPerMoon {
                let angle = Double.pi * Double(index) / Double(max(1, pointsPerMoon - 1))
                let (x, y) = moon == 0 ? (Double.cos(angle), Double.sin(angle)) : (1 - Double.cos(angle), 0.5 - Double.sin(angle))
                let noise = Tensor.randn([2], using: &generator).scalars
                points += [x + 0.1 * noise[0], y + 0.1 * noise[1]]
                labels.append(Double(moon))
            }
        }
        return (Tensor(TensorValue(shape: [2 * pointsPerMoon, 2], scalars: points)),
                Tensor(TensorValue(shape: [2 * pointsPerMoon, 1], scalars: labels)))
    }

    /// Trains, calling `report` after each step, and checks the last step's gradient.
    public func run(report: (Progress) -> Void = { _ in }) throws -> Result {
        let strategy = try configuration.strategy()
        var generator = SeededGenerator(seed: configuration.seed.value)
        let (points, labels) = Self.moons(pointsPerMoon: pointsPerMoon, using: &generator)
        let model = Sequential(Linear(2, hidden, using: &generator), Activation.tanh, Linear(hidden, 1, using: &generator))
        var optimizer = try Adam(model.parameters, learningRate: learningRate)
        var progress: [Progress] = []
        for step in 1...max(1, steps) {
            optimizer.zeroGrad()
            let logits = model(points)
            let loss = binaryCrossEntropyWithLogits(logits, labels)
            let gradients = try strategy.gradient(of: loss, withRespectTo: model.parameters).tensors
            for (parameter, gradient) in zip(model.parameters, gradients) { parameter.grad = gradient }
            optimizer.step()
            progress.append(Progress(step: step, loss: loss.item(), accuracy: Self.accuracy(logits, labels)))
            report(progress.last!)
        }
        let logits = withNoGrad { model(points) }
        let finalCheck = try GradientCheck.check(
            "moons_classifier", inputs: model.parameters.map { $0.detach() },
            names: ["weight 1", "bias 1", "weight 2", "bias 2"],
            reference: ExactMode(
                precision: configuration.exactPrecision.value, maximumPrecision: configuration.exactMaximumPrecision.value,
                threads: configuration.threads.value
            )
        ) { parameters in
            let model = Sequential(
                Linear(weight: parameters[0], bias: parameters[1]), Activation.tanh, Linear(weight: parameters[2], bias: parameters[3])
            )
            return binaryCrossEntropyWithLogits(model(points), labels)
        }
        return Result(
            progress: progress, loss: withNoGrad { binaryCrossEntropyWithLogits(logits, labels) }.item(),
            accuracy: Self.accuracy(logits, labels), finalCheck: finalCheck
        )
    }

    /// The fraction of rows whose logit has the label's sign (a logit of 0 counts as class 1).
    static func accuracy(_ logits: Tensor, _ labels: Tensor) -> Double {
        let right = zip(logits.scalars, labels.scalars).count { ($0 >= 0) == ($1 == 1) }
        return Double(right) / Double(labels.elementCount)
    }
}
