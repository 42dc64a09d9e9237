// PyTorch's autograd lesson, step by step in Swift; PyTorch's line is in the
// comment above each Swift line.
import Autograd

// snippet.seed
// torch.manual_seed(0)
Tensor.manualSeed(0)
// snippet.end

// snippet.tracking
// x = torch.rand(3, 7, requires_grad=True)
let x = Tensor.rand(3, 7, requiresGrad: true)
print(x.requiresGrad)
// Prints:
// true
// snippet.end

// snippet.gradFn
// ones = torch.ones(2, 4, requires_grad=True); y = ones + 1
let ones = Tensor.ones(2, 4, requiresGrad: true)
let y = ones + 1
print(y)
print(y.gradFn!)
print(y.isLeaf, ones.isLeaf)
// Prints:
// tensor([[2., 2., 2., 2.],
//         [2., 2., 2., 2.]], gradFn: AddBackward)
// AddBackward
// false true
// snippet.end

// snippet.judicious
// x.detach_()
x.detachInPlace()
print(x.requiresGrad)

// w.requires_grad_(False)
let w = Tensor.ones(2, 4, requiresGrad: true)
w.requiresGrad = false
print((w * 2).gradFn as Any)

// with torch.no_grad(): doubled = v * 2
let v = Tensor.ones(2, 4, requiresGrad: true)
let doubled = withNoGrad { v * 2 }
print(doubled.requiresGrad, (v * 2).requiresGrad)
// Prints:
// false
// nil
// false true
// snippet.end

// snippet.loss
// real = torch.rand(3, 8); predicted = torch.rand(3, 8, requires_grad=True)
let real = Tensor.rand(3, 8)
let predicted = Tensor.rand(3, 8, requiresGrad: true)
// loss = (predicted - real).pow(2).sum()
let loss = (predicted - real).pow(2).sum()
print(loss)
// Prints:
// tensor(2.7151, gradFn: SumBackward)
// snippet.end

// snippet.backward
// with torch.no_grad(): manual = 2 * (predicted - real)
let manual = withNoGrad { 2 * (predicted - real) }
// loss.backward(); auto = predicted.grad
try loss.backward()
let auto = predicted.grad!
print(auto)
// print(manual.eq(auto).all())
print(manual.eq(auto).all())
// Prints:
// tensor([[ 0.6335, -0.2273,  0.7152, -0.1549,  1.0331,  0.0163, -0.4656, -0.5528],
//         [-0.1846,  0.0785, -0.5191, -0.6201,  0.7931, -1.2036, -1.0355,  0.0392],
//         [ 0.1335,  0.6238, -0.7390,  0.5222, -0.1656,  1.4192,  0.9535, -0.5097]])
// true
// snippet.end

// snippet.strategies
let forward = try ForwardMode().gradient(of: loss, withRespectTo: [predicted])[0]
let exact = try ExactMode().gradient(of: loss, withRespectTo: [predicted])
print(exact.exactness)
print(exact.tensors[0].eq(auto).all() && exact.tensors[0].eq(forward).all())
// Prints:
// exact
// true
// snippet.end
