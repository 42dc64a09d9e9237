import AutogradCore
import CBLAS

/// `Double` matrix products through OpenBLAS's `cblas_dgemm`: the forward
/// product and both reverse products of every `matmul` on `Double` tensors
/// (the transposes passed as flags, nothing copied).
///
/// The core finds this conformance at run time (it links no C): a program
/// that links `Autograd` multiplies `Double` matrices with OpenBLAS, using the
/// threads OpenBLAS chooses (`OPENBLAS_NUM_THREADS` sets them).
///
/// ```swift
/// MatrixProducts.kernelName(for: Double.self)   // "OpenBLAS cblas_dgemm"
/// ```
extension Double: MatrixProductKernel {
    /// `"OpenBLAS cblas_dgemm"`.
    public static var matrixProductKernelName: String { "OpenBLAS cblas_dgemm" }

    /// `c = op(a) · op(b)` by `cblas_dgemm`, row-major; an outer product
    /// (`k` = 1) in one pass instead.
    public static func multiplyMatrices(
        _ shape: MatrixProductShape, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
        into c: UnsafeMutablePointer<Double>
    ) {
        if shape.k == 1 {
            // The gradient of a layer with one output, `g · wᵀ`: OpenBLAS
            // would zero `c`, then add the products in a second pass. Stored
            // transposed or not, a column of one row is the same m elements.
            // `0 + a·b`, as the generic loop and dgemm sum from zero (a −0
            // product gives +0).
            for i in 0..<shape.m {
                let (row, left) = (c + i * shape.n, a[i])
                for j in 0..<shape.n { row[j] = 0 + left * b[j] }
            }
            return
        }
        let (m, n, k) = (Int32(shape.m), Int32(shape.n), Int32(shape.k))
        cblas_dgemm(
            CblasRowMajor,
            shape.transposesLeft ? CblasTrans : CblasNoTrans,
            shape.transposesRight ? CblasTrans : CblasNoTrans,
            m, n, k, 1, a, shape.transposesLeft ? m : k, b, shape.transposesRight ? k : n, 0, c, n)
    }
}
