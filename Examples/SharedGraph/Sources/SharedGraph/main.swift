// The README's "Tasks share graphs" example, as written: top-level tensors
// used from tasks, accepted by Swift 6's strict concurrency checking.
import Autograd

let x = Tensor([1.0, 2, 3], requiresGrad: true)
let loss = (x * x).sum()

// Any number of tasks may differentiate one graph at the same time.
let reverse = Task { try ReverseMode().gradient(of: loss, withRespectTo: [x])[0] }
let forward = Task { try ForwardMode().gradient(of: loss, withRespectTo: [x])[0] }
print(try await reverse.value, try await forward.value)   // tensor([2., 4., 6.]) twice

// backward() passes that keep the graph add up in .grad, as if one after the other.
let first = Task { try loss.backward(retainGraph: true) }
let second = Task { try loss.backward(retainGraph: true) }
try await first.value
try await second.value
print(x.grad!)   // tensor([ 4.,  8., 12.])
