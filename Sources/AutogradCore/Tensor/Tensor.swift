/// An n-dimensional array of `Double`s that records the operations on it for
/// automatic differentiation, with PyTorch's semantics.
///
/// A tensor is a reference, like a PyTorch tensor: setting `requiresGrad` or
/// reading `.grad` through any variable that holds it sees the same tensor.
/// Its values change only through the in-place ops (`+=`, ``zero()``...,
/// see `Tensor+InPlace.swift`), each of which bumps ``version``; gradients
/// accumulate in `.grad` of leaves.
///
/// ```swift
/// let x = Tensor.ones(2, 2, requiresGrad: true)
/// let y = (x * x).sum()
/// try y.backward()
/// print(x.grad!)   // tensor([[2., 2.],
///                  //         [2., 2.]])
/// ```
///
/// Tensors are `Sendable`: tasks may share them. `.grad` is read and written
/// under a lock, so backward passes in several tasks may accumulate into one
/// leaf; and the recorded graph may be differentiated by several tasks at
/// once (see ``backward(gradient:retainGraph:)`` for the one exception).
/// Setting ``requiresGrad``, ``detachInPlace()`` and the in-place ops change
/// a tensor itself: do them when no other task uses it (an optimizer's step
/// between training steps, for instance).
public final class Tensor: @unchecked Sendable {
    /// The shape and the elements. Values already read (by a recorded op, a
    /// ``detach()``ed tensor...) keep theirs when an in-place op changes them.
    ///
    /// A large tensor that a built-in element-wise op made may compute its
    /// elements only when first read (see `DeferredElementwiseValues`), so
    /// that `x.pow(2).sum()` makes one pass: the same bits, later.
    @inlinable public var value: TensorValue<Double> { deferredValues?.values ?? storedValue }
    /// The values, or while ``deferredValues`` computes them, a placeholder
    /// of their shape with no elements (only the shape is read from it).
    @exclusivity(unchecked) @usableFromInline private(set) var storedValue: TensorValue<Double>
    /// The values of an element-wise op, computed on the first read; set
    /// only when the tensor is made, cleared by in-place ops.
    @exclusivity(unchecked) @usableFromInline private(set) var deferredValues: (any DeferredElementwiseValues)?
    /// How many times an in-place op changed this tensor, like PyTorch's
    /// `_version`: a recorded op notes the versions of the leaves it reads,
    /// and every pass over the graph throws
    /// ``AutogradError/modifiedInPlace(node:shape:recordedVersion:version:)``
    /// when one has changed since.
    ///
    /// ```swift
    /// let w = Tensor([1.0, 2], requiresGrad: true)
    /// try withNoGrad { try w -= 0.5 }
    /// w.version   // 1
    /// ```
    @exclusivity(unchecked) public private(set) var version = 0
    /// The node of the operation that made this tensor, or `nil` for a leaf.
    @exclusivity(unchecked) public private(set) var gradFn: GraphNode?
    /// The accumulated gradient of a leaf that requires gradients, after `backward()`;
    /// `nil` otherwise. Set it to `nil` (or call ``zeroGrad()``) to start afresh.
    /// A gradient assigned must have this tensor's shape (else it traps, as
    /// PyTorch refuses it), so that the next backward pass adds to it element
    /// for element.
    ///
    /// ```swift
    /// let x = Tensor([1.0, 2, 3], requiresGrad: true)
    /// x.grad = Tensor.zeros(3)      // fine
    /// x.grad = Tensor.ones(3, 1)    // traps: shape [3, 1], not [3]
    /// ```
    public var grad: Tensor? {
        get { Self.gradLock.withLock { _ in storedGrad } }
        set {
            if let newValue, newValue.shape != shape {
                fatalError("grad: the gradient assigned has shape \(newValue.shape), but the tensor has shape \(shape)")
            }
            Self.gradLock.withLock { _ in storedGrad = newValue }
        }
    }
    @exclusivity(unchecked) private var storedGrad: Tensor?

    /// The elements of a deferred tensor's placeholder value: none, so that
    /// the tensor does not keep its operand's memory once computed.
    private static let emptyValue = TensorValue<Double>(shape: [0], scalars: [])

    /// Guards every tensor's `.grad` (one lock: gradients are read and
    /// accumulated once per leaf per pass, so it is rarely contended).
    private static let gradLock = Lock(())

    /// Adds a contribution to `.grad`, as PyTorch's `AccumulateGrad` does.
    func accumulateGrad(_ contribution: TensorValue<Double>) {
        Self.gradLock.withLock { _ in
            storedGrad = Tensor(storedGrad.map { $0.value.adding(contribution) } ?? contribution)
        }
    }
    @exclusivity(unchecked) @usableFromInline var leafRequiresGrad: Bool

    /// A leaf tensor with the given values.
    public init(_ value: TensorValue<Double>, requiresGrad: Bool = false) {
        self.storedValue = value
        self.leafRequiresGrad = requiresGrad
    }

    /// A tensor made by a recorded operation.
    @usableFromInline
    init(_ value: TensorValue<Double>, gradFn: GraphNode?) {
        self.storedValue = value
        self.gradFn = gradFn
        self.leafRequiresGrad = false
    }

    /// A tensor of `shape` whose values `deferred` computes when first read,
    /// made by `gradFn` (or a leaf, when not recorded).
    @usableFromInline
    init(_ deferred: any DeferredElementwiseValues, shape: Shape, gradFn: GraphNode?) {
        self.storedValue = TensorValue(shape: shape, storage: Self.emptyValue.storage)
        self.deferredValues = deferred
        self.gradFn = gradFn
        self.leafRequiresGrad = false
    }

    /// Whether operations on this tensor are recorded and gradients flow to it.
    ///
    /// Settable on leaves, like PyTorch's `requires_grad_()`. A tensor that an
    /// operation made requires gradients; setting `false` on it traps: use
    /// ``detach()`` instead.
    public var requiresGrad: Bool {
        get { leafRequiresGrad || gradFn != nil }
        set {
            guard gradFn == nil else {
                if newValue { return }
                fatalError("requiresGrad: you can only change requiresGrad of leaf tensors; "
                    + "use detach() to get a tensor that does not require grad")
            }
            leafRequiresGrad = newValue
        }
    }

    /// The address of the first element, valid while this tensor is alive
    /// and no in-place op changes it: for compiled calls, which read their
    /// inputs' elements without copying their values.
    var unsafeElementsAddress: UnsafePointer<Double> {
        if let deferredValues { return deferredValues.values.unsafeBaseAddress }   // which it keeps
        return storedValue.unsafeBaseAddress
    }

    /// Whether this tensor's shape is `shape`, without copying its own.
    func hasShape(_ shape: Shape) -> Bool { storedValue.shape == shape }

    /// Whether no recorded operation made this tensor (`gradFn == nil`).
    public var isLeaf: Bool { gradFn == nil }

    /// The dimensions, outermost first.
    public var shape: Shape { storedValue.shape }
    /// A copy of the elements in row-major order.
    public var scalars: [Double] { value.scalars }
    /// The number of elements.
    public var elementCount: Int {
        deferredValues == nil ? storedValue.elementCount : storedValue.shape.elementCount   // a placeholder has none
    }
    /// The number of dimensions.
    public var rank: Int { storedValue.shape.rank }

    /// The only element of a one-element tensor; traps otherwise.
    ///
    /// ```swift
    /// Tensor([1.0, 2, 3]).sum().item()   // 6.0
    /// ```
    public func item() -> Double {
        guard elementCount == 1 else {
            fatalError("item(): only a one-element tensor can be converted to a scalar, got shape \(shape)")
        }
        return value[flat: 0]
    }

    /// A new leaf with these values that does not require gradients, like
    /// PyTorch's `detach()`: nothing computed from it is recorded. (Unlike
    /// PyTorch's, it does not see later in-place changes of this tensor.)
    public func detach() -> Tensor { Tensor(value) }

    /// Makes this tensor a leaf that does not require gradients, like PyTorch's
    /// `detach_()`. Graphs already recorded through it are unchanged.
    public func detachInPlace() {
        gradFn = nil
        leafRequiresGrad = false
    }

    /// Forgets the accumulated gradient, like PyTorch's `grad = None`.
    public func zeroGrad() { grad = nil }

    /// Replaces the values (same shape) and the node that made them, and bumps
    /// ``version``: the last step of every in-place op.
    func replaceInPlace(_ newValue: TensorValue<Double>, gradFn newGradFn: GraphNode?) {
        storedValue = newValue
        deferredValues = nil
        gradFn = newGradFn
        version += 1
    }

    /// Whether an operation on this input is recorded now: it requires
    /// gradients (or a function is being traced), and recording is on.
    @inlinable
    static func isRecording(_ input: Tensor) -> Bool {
        GradMode.isEnabled && (input.requiresGrad || GradMode.recordsConstants)
    }

    /// Whether an operation on these two inputs is recorded now.
    @inlinable
    static func isRecording(_ left: Tensor, _ right: Tensor) -> Bool {
        GradMode.isEnabled && (left.requiresGrad || right.requiresGrad || GradMode.recordsConstants)
    }

    /// The input of a graph node that reads this tensor.
    @usableFromInline
    var asGraphInput: GraphInput {
        if let gradFn { .node(gradFn) } else { .leaf(self) }
    }
}
