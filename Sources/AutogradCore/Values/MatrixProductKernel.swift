/// A scalar type whose matrix products a faster routine computes than the
/// generic loop: a BLAS's `gemm`, for instance.
///
/// The core links no C, so it does not call a BLAS itself: it looks, once per
/// scalar type, for a conformance to this protocol, and when it finds one,
/// ``TensorValue/matmul(_:transposingLeft:transposingRight:op:)`` calls it
/// for every matrix of a product (forward, and both reverse products, whose
/// transposes it passes as flags rather than copies). The `Autograd` module
/// links the one for `Double` (OpenBLAS's `cblas_dgemm`, in
/// `AutogradBLAS`); the other scalar types (dual numbers, rationals, big
/// floats) keep the generic loop.
///
/// ```swift
/// extension Float: @retroactive MatrixProductKernel { ... }   // in a user's module, through cblas_sgemm
/// MatrixProducts.kernelName(for: Double.self)   // "OpenBLAS cblas_dgemm" once Autograd is linked
/// ```
public protocol MatrixProductKernel {
    /// What computes the products, as `autograd backends` reports it.
    static var matrixProductKernelName: String { get }

    /// Writes `op(a) · op(b)` into `c` (its `m × n` elements, overwritten),
    /// where `op` transposes an operand when `shape` says so. All three are
    /// row-major and dense: `a` holds `m × k` elements (`k × m` when
    /// transposed), `b` `k × n` (`n × k`). Called only when `m`, `n` and `k`
    /// are all positive.
    static func multiplyMatrices(
        _ shape: MatrixProductShape, _ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>,
        into c: UnsafeMutablePointer<Self>
    )
}

/// The sizes of one matrix product `op(a) · op(b)`, `[m, k] × [k, n] → [m, n]`
/// after the transposes.
///
/// ```swift
/// MatrixProductShape(m: 2, n: 3, k: 4, transposesLeft: false, transposesRight: true)
/// ```
public struct MatrixProductShape: Hashable, Sendable {
    /// Rows of the product.
    public let m: Int
    /// Columns of the product.
    public let n: Int
    /// The dimension the product sums over.
    public let k: Int
    /// Whether the left operand is stored as `[k, m]` and used transposed.
    public let transposesLeft: Bool
    /// Whether the right operand is stored as `[n, k]` and used transposed.
    public let transposesRight: Bool

    /// A product's sizes.
    public init(m: Int, n: Int, k: Int, transposesLeft: Bool, transposesRight: Bool) {
        (self.m, self.n, self.k) = (m, n, k)
        (self.transposesLeft, self.transposesRight) = (transposesLeft, transposesRight)
    }
}

/// Which routine computes the matrix products of each scalar type.
///
/// ```swift
/// MatrixProducts.kernelName(for: Rational.self)   // "generic loop"
/// ```
public enum MatrixProducts {
    private static let known = Lock<[ObjectIdentifier: KnownKernel]>([:])

    /// A kernel found for a type (or its absence), kept: a failed conformance
    /// lookup scans every conformance in the process each time.
    private struct KnownKernel: @unchecked Sendable {
        let kernel: (any MatrixProductKernel.Type)?
    }

    /// The kernel `Scalar` conforms with, if any.
    @usableFromInline
    static func kernel<Scalar>(for scalar: Scalar.Type) -> (any MatrixProductKernel.Type)? {
        let type = ObjectIdentifier(scalar)
        if let found = known.withLock({ $0[type] }) { return found.kernel }
        let kernel = scalar as? any MatrixProductKernel.Type
        known.withLock { $0[type] = KnownKernel(kernel: kernel) }
        return kernel
    }

    /// The name of what computes `Scalar`'s matrix products: its kernel's
    /// name, or `"generic loop"`.
    ///
    /// ```swift
    /// MatrixProducts.kernelName(for: Double.self)   // "OpenBLAS cblas_dgemm" with Autograd linked
    /// ```
    public static func kernelName<Scalar>(for scalar: Scalar.Type) -> String {
        kernel(for: scalar)?.matrixProductKernelName ?? "generic loop"
    }
}
