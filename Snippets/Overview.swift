// The modules' landing pages, in one program.
import Autograd
import AutogradTesting
import Testing

// snippet.autograd
Tensor.manualSeed(0)
let real = Tensor.rand(3, 8)
let predicted = Tensor.rand(3, 8, requiresGrad: true)
let loss = (predicted - real).pow(2).sum()
try loss.backward()
print(predicted.grad!.eq(withNoGrad { 2 * (predicted - real) }).all())
// Prints:
// true
// snippet.end

// snippet.core
let x = Tensor([1, 2, 3], requiresGrad: true)
let y = (x * x).sum()
try y.backward()
print(x.grad!.scalars)
// Prints:
// [2.0, 4.0, 6.0]
// snippet.end

// snippet.exact
let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
print(exact.isExact, exact.exactness)
print(exact.tensors[0].eq(predicted.grad!).all())
// Prints:
// true exact
// true
// snippet.end

// snippet.testing
@Test func softplusIsValid() {
    expectValid(Softplus(), domain: -20...20)
}
// snippet.end
