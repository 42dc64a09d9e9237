/// One step of the autograd lesson: the Swift code that runs and what it printed.
public struct LessonStep: Sendable, Codable {
    /// What the step shows, e.g. "Tracking".
    public let title: String
    /// The Swift code of the step, as the user would type it.
    public let code: String
    /// What the code printed.
    public let output: String
}

/// PyTorch's autograd lesson, in Swift, step by step: tracking with
/// `requiresGrad`, `gradFn`, judicious tracking (`detachInPlace()`,
/// `requiresGrad = false`, `withNoGrad`), and the example that compares a
/// hand-derived gradient of `sum((predicted - real)^2)` with the automatic one,
/// then with forward mode's gradient of the same recorded loss and with the
/// exact gradient (in exact rationals), which all three match bit for bit, and
/// last with the strategy the configuration chooses.
///
/// Each step's code is the code that runs; the lesson reseeds the default
/// generator, so a seed gives the same output every time.
///
/// ```swift
/// for step in try Lesson.run(configuration: AutogradConfiguration.load()) { print(step.code, step.output) }
/// ```
public enum Lesson {
    /// The tensors of the lesson's example, kept for strategies to differentiate.
    public struct Example {
        /// The target values, 3×8, not tracked.
        public let real: Tensor
        /// The predictions, 3×8, requiring gradients.
        public let predicted: Tensor
        /// `(predicted - real).pow(2).sum()`, with its recorded graph.
        public let loss: Tensor
    }

    /// The lesson's example for `seed`, with the very values `run(seed:)`
    /// prints, drawn from a generator of its own (the default one is left alone).
    ///
    /// ```swift
    /// let example = Lesson.example(seed: 0)
    /// print(RecordedGraph(example.loss).dot())
    /// ```
    public static func example(seed: UInt64) -> Example {
        var generator = SeededGenerator(seed: seed)
        _ = Tensor.rand([3, 7], using: &generator)   // the lesson's `x`
        let real = Tensor.rand([3, 8], using: &generator)
        let predicted = Tensor.rand([3, 8], requiresGrad: true, using: &generator)
        return Example(real: real, predicted: predicted, loss: (predicted - real).pow(2).sum())
    }

    /// Runs the lesson with the default generator seeded with `seed`, ending
    /// with the default backend (reverse mode).
    public static func run(seed: UInt64) throws -> [LessonStep] {
        try run(configuration: .builtIn(seed: seed))
    }

    /// Runs the lesson with the configuration's seed, and differentiates its
    /// loss last with the configuration's backend, saying which and where that
    /// choice came from.
    public static func run(configuration: AutogradConfiguration) throws -> [LessonStep] {
        let seed = configuration.seed.value
        var steps: [LessonStep] = []
        func step(_ title: String, _ code: String, _ body: (inout [String]) throws -> Void) rethrows {
            var lines: [String] = []
            try body(&lines)
            steps.append(LessonStep(title: title, code: code, output: lines.joined(separator: "\n")))
        }

        step("Seeding", "Tensor.manualSeed(\(seed))") { _ in
            Tensor.manualSeed(seed)
        }

        let x = Tensor.rand(3, 7, requiresGrad: true)
        step("Tracking: requiresGrad", """
            let x = Tensor.rand(3, 7, requiresGrad: true)
            print(x)
            """) { out in
            out.append("\(x)")
        }

        step("gradFn: every result of a tracked op records the op", """
            let ones = Tensor.ones(2, 4, requiresGrad: true)
            let y = ones + 1
            print(y)
            print(y.gradFn!)
            print(y.isLeaf, ones.isLeaf)
            """) { out in
            let ones = Tensor.ones(2, 4, requiresGrad: true)
            let y = ones + 1
            out.append("\(y)")
            out.append("\(y.gradFn!)")
            out.append("\(y.isLeaf) \(ones.isLeaf)")
        }

        step("Judicious tracking: detach in place", """
            x.detachInPlace()          // PyTorch: x.detach_()
            print(x.requiresGrad)
            """) { out in
            x.detachInPlace()
            out.append("\(x.requiresGrad)")
        }

        step("Judicious tracking: requiresGrad = false", """
            let w = Tensor.ones(2, 4, requiresGrad: true)
            w.requiresGrad = false     // PyTorch: w.requires_grad_(False)
            print((w * 2).gradFn as Any)
            """) { out in
            let w = Tensor.ones(2, 4, requiresGrad: true)
            w.requiresGrad = false
            out.append("\((w * 2).gradFn as Any)")
        }

        step("Judicious tracking: a no-grad scope", """
            let v = Tensor.ones(2, 4, requiresGrad: true)
            let doubled = withNoGrad { v * 2 }   // PyTorch: with torch.no_grad():
            print(doubled.requiresGrad, (v * 2).requiresGrad)
            """) { out in
            let v = Tensor.ones(2, 4, requiresGrad: true)
            let doubled = withNoGrad { v * 2 }
            out.append("\(doubled.requiresGrad) \((v * 2).requiresGrad)")
        }

        let real = Tensor.rand(3, 8)
        let predicted = Tensor.rand(3, 8, requiresGrad: true)
        step("The example: real and predicted", """
            let real = Tensor.rand(3, 8)
            let predicted = Tensor.rand(3, 8, requiresGrad: true)
            print(real)
            print(predicted)
            """) { out in
            out.append("\(real)")
            out.append("\(predicted)")
        }

        let loss = (predicted - real).pow(2).sum()
        step("The loss", """
            let loss = (predicted - real).pow(2).sum()
            print(loss)
            """) { out in
            out.append("\(loss)")
        }

        let manual = withNoGrad { 2 * (predicted - real) }
        step("The gradient by hand, in a no-grad scope", """
            let manual = withNoGrad { 2 * (predicted - real) }
            print(manual)
            """) { out in
            out.append("\(manual)")
        }

        try step("The gradient by autograd", """
            try loss.backward()
            let auto = predicted.grad!
            print(auto)
            """) { out in
            try loss.backward()
            out.append("\(predicted.grad!)")
        }

        step("They agree", """
            print(manual.eq(auto).all())
            """) { out in
            out.append("\(manual.eq(predicted.grad!).all())")
        }

        let forward = try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]
        step("Forward mode: the same loss, tangents through each op's forward rule", """
            let forward = try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]
            print(forward)
            print(forward.eq(auto).all())
            """) { out in
            out.append("\(forward)")
            out.append("\(forward.eq(predicted.grad!).all())")
        }

        try step("Forward over reverse: a Hessian-vector product (the loss's Hessian is 2·I)", """
            let v = Tensor.ones(3, 8)
            let hv = try ForwardMode().hessianVectorProduct(of: loss, withRespectTo: [predicted], along: [v])[0]
            print(hv)
            """) { out in
            let v = Tensor.ones(3, 8)
            let hv = try ForwardMode().hessianVectorProduct(of: loss, withRespectTo: [predicted], along: [v])[0]
            out.append("\(hv)")
        }

        try step("The exact reference: the same loss replayed in exact rationals", """
            let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
            print(exact.exactness)
            print("reverse", auto[0, 0].item(), "forward", forward[0, 0].item(), "exact", exact.tensors[0][0, 0].item())
            print(exact.tensors[0].eq(auto).all() && exact.tensors[0].eq(forward).all())
            """) { out in
            let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
            let auto = predicted.grad!
            out.append(exact.exactness)
            out.append("reverse \(auto[0, 0].item()) forward \(forward[0, 0].item()) exact \(exact.tensors[0][0, 0].item())")
            out.append("\(exact.tensors[0].eq(auto).all() && exact.tensors[0].eq(forward).all())")
        }

        let backend = configuration.backend
        try step("The configured backend: \(backend.value), from \(backend.source)", """
            // configuration = try AutogradConfiguration.load()   // flags, environment, file, defaults
            let strategy = try configuration.strategy()
            let gradient = try strategy.gradient(of: loss, withRespectTo: [predicted]).tensors[0]
            print(strategy.name, gradient.eq(auto).all())
            """) { out in
            let strategy = try configuration.strategy()
            let gradient = try strategy.gradient(of: loss, withRespectTo: [predicted]).tensors[0]
            out.append("\(strategy.name) \(gradient.eq(predicted.grad!).all())")
        }
        return steps
    }
}
