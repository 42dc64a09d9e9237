import Autograd

/// A reverse-mode tape cut to the bone, for the lesson's loss only: the floor
/// of the eager tape's object model on small tensors.
///
/// Like the eager tape, each op makes a tensor object, a storage and a graph
/// node; the node keeps what its rule reads, and the backward pass frees it
/// and puts a new tensor in the leaf's `grad`. Unlike it, there is no
/// broadcasting, no thread safety (no lock on `grad`, no atomics, no
/// task-local no-grad scope), no in-place version checks, no topological
/// order (the graph is a chain), and each rule is a case of a switch. So what
/// a call costs here is mostly what three ops' objects cost: allocations and
/// reference counting. Compare "loss forward+backward" with "loss minimal
/// tape" at n=24.
///
/// ```swift
/// let (predicted, real) = MinimalTape.inputs([3, 8])
/// let loss = (predicted - real).squared().sum()
/// loss.backward()
/// predicted.grad   // 2 (predicted - real)
/// ```
enum MinimalTape {
    /// The elements of a tensor, in the allocation of their header (the count).
    final class Storage: ManagedBuffer<Int, Double> {
        /// Storage for `count` elements that `initialize` fills.
        static func make(_ count: Int, _ initialize: (UnsafeMutablePointer<Double>) -> Void) -> Storage {
            let storage = unsafeDowncast(create(minimumCapacity: count) { _ in count }, to: Storage.self)
            storage.withUnsafeMutablePointerToElements(initialize)
            return storage
        }

        /// Calls `body` with the first element's address.
        func withElements<Result>(_ body: (UnsafeMutablePointer<Double>) -> Result) -> Result {
            withUnsafeMutablePointerToElements(body)
        }
    }

    /// The ops of the loss, each with its reverse rule in `backward()`.
    enum Operation { case subtract, square, sum }

    /// A recorded op: its input (a node, or a leaf), the value its rule
    /// reads (freed by the backward pass) and its input's element count.
    final class Node {
        let operation: Operation
        let inputNode: Node?
        let inputLeaf: Tensor?
        var saved: Storage?
        let count: Int

        init(_ operation: Operation, input: Tensor, saved: Storage?) {
            self.operation = operation
            inputNode = input.gradFn
            inputLeaf = input.gradFn == nil ? input : nil
            self.saved = saved
            count = input.count
        }
    }

    /// A tensor of one dimension: its elements, the node that made it, and
    /// for a leaf, whether it requires gradients and its gradient.
    final class Tensor {
        let storage: Storage
        let count: Int
        let gradFn: Node?
        let requiresGrad: Bool
        var grad: Tensor?

        init(_ storage: Storage, count: Int, gradFn: Node? = nil, requiresGrad: Bool = false) {
            self.storage = storage
            self.count = count
            self.gradFn = gradFn
            self.requiresGrad = requiresGrad || gradFn != nil
        }

        /// The elements, copied.
        var scalars: [Double] { storage.withElements { Array(UnsafeBufferPointer(start: $0, count: count)) } }

        /// `self - other`, element by element; the rule reads nothing.
        static func - (left: Tensor, right: Tensor) -> Tensor {
            let count = left.count
            let storage = Storage.make(count) { output in
                left.storage.withElements { x in right.storage.withElements { y in
                    for index in 0..<count { output[index] = x[index] - y[index] }
                } }
            }
            guard left.requiresGrad else { return Tensor(storage, count: count) }
            return Tensor(storage, count: count, gradFn: Node(.subtract, input: left, saved: nil))
        }

        /// `self²`, element by element; the rule reads the input.
        func squared() -> Tensor {
            let count = count
            let output = Storage.make(count) { output in
                storage.withElements { x in for index in 0..<count { output[index] = x[index] * x[index] } }
            }
            guard requiresGrad else { return Tensor(output, count: count) }
            return Tensor(output, count: count, gradFn: Node(.square, input: self, saved: storage))
        }

        /// The sum of the elements; the rule reads only the count.
        func sum() -> Tensor {
            let total = storage.withElements { x in (0..<count).reduce(0.0) { $0 + x[$1] } }
            let output = Storage.make(1) { $0[0] = total }
            guard requiresGrad else { return Tensor(output, count: 1) }
            return Tensor(output, count: 1, gradFn: Node(.sum, input: self, saved: nil))
        }

        /// Runs the rules from this one-element tensor back to the leaf, and
        /// sets the leaf's `grad` (the subtraction's left operand is the only
        /// input that requires gradients, as in the lesson).
        func backward() {
            var gradient = Storage.make(1) { $0[0] = 1 }
            var next = gradFn
            while let node = next {
                let count = node.count, incoming = gradient
                switch node.operation {
                case .sum:
                    let seed = incoming.withElements { $0[0] }
                    gradient = Storage.make(count) { $0.update(repeating: seed, count: count) }
                case .square:
                    gradient = Storage.make(count) { output in
                        incoming.withElements { g in node.saved!.withElements { x in
                            for index in 0..<count { output[index] = 2 * x[index] * g[index] }
                        } }
                    }
                    node.saved = nil
                case .subtract:
                    if let leaf = node.inputLeaf, leaf.requiresGrad { leaf.grad = Tensor(incoming, count: count) }
                }
                next = node.inputNode
            }
        }
    }

    /// ``inputs(_:)``, after checking that this tape's gradient has the
    /// eager tape's bits: both compute `2 (p − r) · 1`.
    static func checkedInputs(_ shape: Shape) -> (predicted: Tensor, real: Tensor) {
        let (predicted, real) = inputs(shape)
        let loss = (predicted - real).squared().sum()
        loss.backward()
        let (eagerPredicted, eagerReal) = lossInputs(shape)
        try! (eagerPredicted - eagerReal).pow(2).sum().backward()
        precondition(predicted.grad!.scalars == eagerPredicted.grad!.scalars, "MinimalTape: not the eager tape's gradient")
        predicted.grad = nil
        return (predicted, real)
    }

    /// The lesson's inputs for this tape: the values of ``lossInputs(_:)``.
    static func inputs(_ shape: Shape) -> (predicted: Tensor, real: Tensor) {
        let (predicted, real) = lossInputs(shape)
        func tensor(_ values: [Double], requiresGrad: Bool) -> Tensor {
            let storage = Storage.make(values.count) { $0.initialize(from: values, count: values.count) }
            return Tensor(storage, count: values.count, requiresGrad: requiresGrad)
        }
        return (tensor(predicted.scalars, requiresGrad: true), tensor(real.scalars, requiresGrad: false))
    }
}
