extension TensorValue where Scalar: FieldScalar {
    /// The matrix product `op(self) · op(other)`, where `op` swaps an
    /// operand's last two axes when asked: `[m, k] × [k, n] → [m, n]`, and
    /// for operands of rank 3 or more, one product per matrix of the stacks,
    /// whose leading dimensions broadcast (`[b, m, k] × [k, n] → [b, m, n]`).
    ///
    /// A scalar type with a ``MatrixProductKernel`` (`Double`, once the
    /// `Autograd` module is linked: OpenBLAS) has each matrix's product
    /// computed by it, transposes passed as flags; others by a loop that sums
    /// each element's terms in order of `k`. Traps, naming `op` and both
    /// shapes, when the inner dimensions differ or the stacks don't broadcast.
    ///
    /// ```swift
    /// let a = TensorValue(shape: [2, 2], scalars: [1.0, 2, 3, 4])
    /// a.matmul(a).scalars                          // [7, 10, 15, 22]
    /// a.matmul(a, transposingRight: true).scalars  // [5, 11, 11, 25]
    /// ```
    @inlinable
    public func matmul(
        _ other: TensorValue, transposingLeft: Bool = false, transposingRight: Bool = false, op: String = "MatMul"
    ) -> TensorValue {
        let plan = MatrixProductPlan(
            shape, other.shape, transposingLeft: transposingLeft, transposingRight: transposingRight, op: op)
        let product = plan.product
        let isEmpty = product.m == 0 || product.n == 0 || product.k == 0
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                if !isEmpty, let kernel = MatrixProducts.kernel(for: Scalar.self) {
                    // The kernel writes every element of every matrix: nothing to zero first.
                    return TensorValue(shape: plan.output) { c in
                        plan.forEachMatrix { left, right, out in
                            Self.multiply(product, a.baseAddress! + left, b.baseAddress! + right, into: c + out, with: kernel)
                        }
                    }
                }
                return .accumulating(plan.output) { c in
                    guard !isEmpty else { return }
                    plan.forEachMatrix { left, right, out in
                        Self.multiplyByLoop(product, a.baseAddress! + left, b.baseAddress! + right, into: c + out)
                    }
                }
            }
        }
    }

    /// One product through `kernel`, whose scalar type is `Scalar`.
    @usableFromInline
    static func multiply<Kernel: MatrixProductKernel>(
        _ product: MatrixProductShape, _ a: UnsafePointer<Scalar>, _ b: UnsafePointer<Scalar>,
        into c: UnsafeMutablePointer<Scalar>, with kernel: Kernel.Type
    ) {
        func rebound<T>(_ pointer: UnsafePointer<T>) -> UnsafePointer<Kernel> {
            UnsafeRawPointer(pointer).assumingMemoryBound(to: Kernel.self)
        }
        let out = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Kernel.self)
        Kernel.multiplyMatrices(product, rebound(a), rebound(b), into: out)
    }

    /// One product by the generic loop, into zeros: each element's terms are
    /// added in order of `k`.
    @usableFromInline
    static func multiplyByLoop(
        _ product: MatrixProductShape, _ a: UnsafePointer<Scalar>, _ b: UnsafePointer<Scalar>,
        into c: UnsafeMutablePointer<Scalar>
    ) {
        let (m, n, k) = (product.m, product.n, product.k)
        // Element (i, p) of op(a) and (p, j) of op(b), as strides.
        let (aRow, aColumn) = product.transposesLeft ? (1, m) : (k, 1)
        let (bRow, bColumn) = product.transposesRight ? (1, k) : (n, 1)
        for i in 0..<m {
            for p in 0..<k {
                let aip = a[i * aRow + p * aColumn]
                let row = b + p * bRow
                for j in 0..<n { c[i * n + j] += aip * row[j * bColumn] }
            }
        }
    }
}

/// Where the matrices of a (possibly stacked) product are, and its shape.
@usableFromInline
struct MatrixProductPlan {
    /// The sizes of each matrix's product.
    @usableFromInline let product: MatrixProductShape
    /// The shape of the result: the broadcast stack, then `[m, n]`.
    @usableFromInline let output: Shape
    let batch: Shape, leftStrides: [Int], rightStrides: [Int]

    @usableFromInline
    init(_ left: Shape, _ right: Shape, transposingLeft: Bool, transposingRight: Bool, op: String) {
        func refuse(_ why: String) -> Never {
            fatalError("\(op): shapes \(left) and \(right) cannot be multiplied (\(why))")
        }
        guard left.rank >= 2 && right.rank >= 2 else { refuse("need [m, k] and [k, n]") }
        let l = left.dimensions, r = right.dimensions
        let (m, k) = transposingLeft ? (l[l.count - 1], l[l.count - 2]) : (l[l.count - 2], l[l.count - 1])
        let (inner, n) = transposingRight ? (r[r.count - 1], r[r.count - 2]) : (r[r.count - 2], r[r.count - 1])
        guard k == inner else { refuse("need [m, k] and [k, n]") }
        let leftBatch = Shape(Array(l.dropLast(2))), rightBatch = Shape(Array(r.dropLast(2)))
        guard let batch = Shape.broadcast(leftBatch, rightBatch) else {
            refuse("the stacks \(leftBatch) and \(rightBatch) do not broadcast")
        }
        self.product = MatrixProductShape(m: m, n: n, k: k, transposesLeft: transposingLeft, transposesRight: transposingRight)
        self.output = Shape(batch.dimensions + [m, n])
        self.batch = batch
        self.leftStrides = leftBatch.broadcastStrides(to: batch).map { $0 * m * k }
        self.rightStrides = rightBatch.broadcastStrides(to: batch).map { $0 * k * n }
    }

    /// Calls `body` with the offsets of each matrix of the left operand, the
    /// right one and the result, in order of the result's stack.
    @usableFromInline
    func forEachMatrix(_ body: (Int, Int, Int) -> Void) {
        forEachBroadcastOffset(batch, leftStrides, rightStrides) { index, left, right in
            body(left, right, index * product.m * product.n)
        }
    }
}
