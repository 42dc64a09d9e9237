/// The values of a tensor: a shape and its elements in row-major order,
/// generic over the scalar.
///
/// `Tensor` keeps a `TensorValue<Double>`; replaying a recorded graph computes
/// `TensorValue<Rational>`, `TensorValue<Dual<Double>>` and so on with the same
/// op code. Storage is a Swift array, so copies share it until one is mutated.
///
/// ```swift
/// let v = TensorValue(shape: [2, 2], scalars: [1.0, 2, 3, 4])
/// v[[1, 0]]   // 3.0
/// ```
public struct TensorValue<Scalar> {
    /// The dimensions, outermost first.
    public let shape: Shape
    /// The elements, shared between values until replaced. (A `var` only so
    /// that ``isUniquelyReferenced()`` can ask; it is never reassigned.)
    @usableFromInline var storage: TensorStorage<Scalar>

    @inlinable
    init(shape: Shape, storage: TensorStorage<Scalar>) {
        self.shape = shape
        self.storage = storage
    }

    /// Values of the given shape whose elements `initialize` writes: it gets a
    /// pointer to `shape.elementCount` uninitialised elements and must
    /// initialise every one.
    ///
    /// ```swift
    /// let squares = TensorValue<Double>(shape: [3]) { p in for i in 0..<3 { (p + i).initialize(to: Double(i * i)) } }
    /// ```
    @inlinable
    public init(
        shape: Shape, unsafeUninitializedElements initialize: (UnsafeMutablePointer<Scalar>) throws -> Void
    ) rethrows {
        self.shape = shape
        self.storage = try TensorStorage.make(count: shape.elementCount, initializingWith: initialize)
    }

    /// Values with the given shape and row-major elements.
    @inlinable
    public init(shape: Shape, scalars: [Scalar]) {
        guard scalars.count == shape.elementCount else {
            fatalError("TensorValue: \(scalars.count) scalars cannot fill shape \(shape)")
        }
        self.init(shape: shape) { elements in
            scalars.withUnsafeBufferPointer { source in
                elements.initialize(from: source.baseAddress!, count: source.count)
            }
        }
    }

    /// Values of the given shape with every element equal to `value`.
    @inlinable
    public init(repeating value: Scalar, shape: Shape) {
        self.init(shape: shape) { elements in elements.initialize(repeating: value, count: shape.elementCount) }
    }

    /// A zero-dimensional value holding `scalar`.
    @inlinable
    public init(scalar: Scalar) {
        self.init(shape: [], unsafeUninitializedElements: { $0.initialize(to: scalar) })
    }

    /// The number of elements.
    @inlinable public var elementCount: Int { storage.count }

    /// A copy of the elements in row-major order.
    public var scalars: [Scalar] { withUnsafeBufferPointer { Array($0) } }

    /// Calls `body` with the elements in row-major order.
    @inlinable
    public func withUnsafeBufferPointer<Result>(
        _ body: (UnsafeBufferPointer<Scalar>) throws -> Result
    ) rethrows -> Result {
        try storage.withElements { elements in
            try body(UnsafeBufferPointer(start: elements, count: storage.count))
        }
    }

    /// The element at a row-major position.
    @inlinable
    public subscript(flat position: Int) -> Scalar {
        guard position >= 0 && position < elementCount else {
            fatalError("position \(position) is out of range for \(elementCount) elements")
        }
        return storage.withElements { $0[position] }
    }

    /// The element at a multi-dimensional index.
    @inlinable
    public subscript(index: [Int]) -> Scalar {
        self[flat: flatIndex(index)]
    }

    /// The row-major position of a multi-dimensional index, trapping when the
    /// index does not fit the shape.
    @inlinable
    public func flatIndex(_ index: [Int]) -> Int {
        guard index.count == shape.rank else {
            fatalError("index \(index) has \(index.count) components, but the shape \(shape) has \(shape.rank)")
        }
        var flat = 0
        for axis in 0..<shape.rank {
            let size = shape[axis]
            guard index[axis] >= 0 && index[axis] < size else {
                fatalError("index \(index) is out of range for shape \(shape)")
            }
            flat = flat * size + index[axis]
        }
        return flat
    }

    /// The same elements under another shape with the same element count.
    @inlinable
    public func reshaped(to newShape: Shape) -> TensorValue {
        guard newShape.elementCount == elementCount else {
            fatalError("TensorValue: \(elementCount) scalars cannot fill shape \(newShape)")
        }
        return TensorValue(shape: newShape, storage: storage)
    }

    /// Applies `transform` to every element. (Always inlined, so that the
    /// transform is inlined into the loop.)
    @inlinable @inline(__always)
    public func map<Result>(_ transform: (Scalar) throws -> Result) rethrows -> TensorValue<Result> {
        try withUnsafeBufferPointer { source in
            try TensorValue<Result>(shape: shape) { out in
                for i in 0..<source.count { (out + i).initialize(to: try transform(source[i])) }
            }
        }
    }

    /// Applies `transform` to every element and its row-major position.
    @inlinable
    public func mapIndexed<Result>(_ transform: (Int, Scalar) throws -> Result) rethrows -> TensorValue<Result> {
        try withUnsafeBufferPointer { source in
            try TensorValue<Result>(shape: shape) { out in
                for i in 0..<source.count { (out + i).initialize(to: try transform(i, source[i])) }
            }
        }
    }

    /// Combines two values element by element under NumPy broadcasting.
    ///
    /// Traps, naming `op` and both shapes, when the shapes do not broadcast.
    ///
    /// ```swift
    /// let a = TensorValue(shape: [2, 1], scalars: [1.0, 2])
    /// let b = TensorValue(shape: [3], scalars: [10.0, 20, 30])
    /// TensorValue.broadcasting(a, b, op: "Add", +).shape   // [2, 3]
    /// ```
    @inlinable
    public static func broadcasting<Other, Result>(
        _ a: TensorValue<Scalar>, _ b: TensorValue<Other>, op: String,
        _ combine: (Scalar, Other) -> Result
    ) -> TensorValue<Result> {
        let shape = broadcastShape(a.shape, b.shape, op: op)
        let count = shape.elementCount
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                TensorValue<Result>(shape: shape) { out in
                    if x.count == count && y.count == count {
                        for i in 0..<count { (out + i).initialize(to: combine(x[i], y[i])) }
                    } else if y.count == 1 {
                        let right = y[0]
                        for i in 0..<count { (out + i).initialize(to: combine(x[i], right)) }
                    } else if x.count == 1 {
                        let left = x[0]
                        for i in 0..<count { (out + i).initialize(to: combine(left, y[i])) }
                    } else if x.count == count && b.shape.broadcastsAsRepeatedBlock(to: shape) {
                        // A row (a bias) against a batch: plain inner loops.
                        // Row pointers, so that the inner loop has no overflow checks and vectorises.
                        for row in stride(from: 0, to: count, by: y.count) {
                            let (target, left) = (out + row, x.baseAddress! + row)
                            for i in 0..<y.count { (target + i).initialize(to: combine(left[i], y[i])) }
                        }
                    } else if y.count == count && a.shape.broadcastsAsRepeatedBlock(to: shape) {
                        for row in stride(from: 0, to: count, by: x.count) {
                            let (target, right) = (out + row, y.baseAddress! + row)
                            for i in 0..<x.count { (target + i).initialize(to: combine(x[i], right[i])) }
                        }
                    } else {
                        forEachBroadcastOffset(
                            shape, a.shape.broadcastStrides(to: shape), b.shape.broadcastStrides(to: shape)
                        ) { i, offsetA, offsetB in
                            (out + i).initialize(to: combine(x[offsetA], y[offsetB]))
                        }
                    }
                }
            }
        }
    }
}

extension TensorValue: Equatable where Scalar: Equatable {
    @inlinable
    public static func == (a: TensorValue, b: TensorValue) -> Bool {
        a.shape == b.shape && (a.storage === b.storage || a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in x.elementsEqual(y) }
        })
    }
}

extension TensorValue: Hashable where Scalar: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        withUnsafeBufferPointer { for element in $0 { hasher.combine(element) } }
    }
}

// The storage is immutable once made, so values share it safely across threads.
extension TensorValue: @unchecked Sendable where Scalar: Sendable {}

/// The broadcast shape of two operands, trapping with a message naming the op
/// and both shapes when they are incompatible.
@inlinable
func broadcastShape(_ a: Shape, _ b: Shape, op: String) -> Shape {
    guard let shape = Shape.broadcast(a, b) else {
        fatalError("\(op): shapes \(a) and \(b) cannot be broadcast together")
    }
    return shape
}

/// Visits every element of `shape` in row-major order with its position and the
/// offsets of two operands read with the given (broadcast) strides.
@inlinable
func forEachBroadcastOffset(
    _ shape: Shape, _ stridesA: [Int], _ stridesB: [Int], _ body: (Int, Int, Int) -> Void
) {
    let rank = shape.rank
    let count = shape.elementCount
    if count == 0 { return }
    if rank == 0 { body(0, 0, 0); return }
    let inner = shape[rank - 1]
    let innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var offsetA = 0, offsetB = 0, position = 0
    while position < count {
        for k in 0..<inner {
            body(position + k, offsetA + k * innerA, offsetB + k * innerB)
        }
        position += inner
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offsetA += stridesA[axis]
            offsetB += stridesB[axis]
            if index[axis] < shape[axis] { break }
            offsetA -= stridesA[axis] * index[axis]
            offsetB -= stridesB[axis] * index[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
