// One recorded loss, differentiated by each strategy; forward mode's own
// products; a compiled function, called into gradient buffers it reuses; and
// dual numbers on a scalar function.
import Autograd

// snippet.same
Tensor.manualSeed(0)
let real = Tensor.rand(3, 8)
let predicted = Tensor.rand(3, 8, requiresGrad: true)
let loss = (predicted - real).pow(2).sum()

let strategies: [any Differentiable] = [ReverseMode(), ForwardMode(), CompiledReverseMode(), ExactMode()]
let gradients = try strategies.map { try $0.gradient(of: loss, withRespectTo: [predicted]).tensors[0] }
print(strategies.map(\.name))
print(gradients.allSatisfy { $0.eq(gradients[3]).all() })
// Prints:
// ["reverse", "forward", "compiled", "exact"]
// true
// snippet.end

// snippet.forward
let direction = Tensor.ones(3, 8)
let hessianTimesDirection = try ForwardMode().hessianVectorProduct(of: loss, withRespectTo: [predicted], along: [direction])[0]
print(hessianTimesDirection.eq(2 * direction).all())
// Prints:
// true
// snippet.end

// snippet.compiled
let compiled = try CompiledFunction(tracingAt: [predicted, real], withRespectTo: [0]) { x in
    (x[0] - x[1]).pow(2).sum()
}
let (value, gradient) = try compiled.valueWithGradient([predicted, real])
print(compiled.fusedRegions)
print(value.eq(loss).all(), gradient[0].eq(gradients[0]).all())
// Prints:
// ["Sub, Pow, Sum over 24 elements"]
// true true
// snippet.end

// snippet.compiledIntoBuffers
var buffers: [TensorValue<Double>] = []
var lossValue = 0.0
for _ in 0..<3 {
    // The first call allocates the gradient's buffer; the next ones reuse it.
    lossValue = try compiled.valueWithGradient([predicted, real], into: &buffers)
}
print(lossValue == value.item(), buffers[0].scalars == gradient[0].scalars)
// Prints:
// true true
// snippet.end

// snippet.dual
let slope = derivative(at: 2.0) { (x: Dual<Double>) in x * x * x }
print(slope)
// Nested derivatives keep their perturbations apart: this is 1, not 2.
let nested = derivative(at: 1.0) { (x: Dual<Double>) in
    x * derivative(at: Dual(constant: 1.0)) { y in Dual(constant: x) + y }
}
print(nested)
// Prints:
// 12.0
// 1.0
// snippet.end
