import Autograd

Tensor.manualSeed(0)
let real = Tensor.rand(3, 8)
let predicted = Tensor.rand(3, 8, requiresGrad: true)
print(predicted.requiresGrad, real.requiresGrad)
// Prints:
// true false

let loss = (predicted - real).pow(2).sum()
print(loss.gradFn!)
// Prints:
// SumBackward

try loss.backward()
let manual = withNoGrad { 2 * (predicted - real) }
print(predicted.grad!.eq(manual).all())
// Prints:
// true

let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
print(exact.exactness, exact.tensors[0].eq(predicted.grad!).all())
// Prints:
// exact true
