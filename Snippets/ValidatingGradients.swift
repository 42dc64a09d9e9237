// A logistic regression's gradient, checked against the exact reference
// with the bound its own condition gives, in every float strategy.
import Autograd

// snippet.check
var generator = SeededGenerator(seed: 7)
let features = Tensor.randn([64, 4], using: &generator)
let labels = Tensor((0..<64).map { _ in generator.nextUnit() < 0.5 ? 0.0 : 1 }, shape: [64])
let weights = Tensor.randn([1, 4], using: &generator)
let results = try GradientCheck.check("logistic", inputs: [weights], names: ["w"]) { w in
    let p = (features * w[0]).sum(dim: 1).sigmoid()
    return -(labels * p.log() + (1 - labels) * (1 - p).log()).sum()
}
for result in results {
    print(result.strategy, result.passed ? "pass" : "FAIL", "max", result.maxULP, "ulp,", result.reference)
}
// Prints:
// forward pass max 7.0 ulp, correctly rounded
// reverse pass max 5.0 ulp, correctly rounded
// snippet.end

// snippet.worst
let worst = results.first { $0.strategy == "forward" }!.worst!
print("w[\(worst.element)]: computed", worst.computed, "truth", worst.truth)
print("error", worst.error, "bound", worst.bound, "(\(worst.errorULP!) ulp)")
// Prints:
// w[2]: computed 15.213531143194134 truth 15.213531143194144
// error 1.0658141036401503e-14 bound 6.32686332628806e-12 (6.0 ulp)
// snippet.end
