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

    /// `c = op(a) · op(b)` by `cblas_dgemm`, row-major.
    public static func multiplyMatrices(
        _ shape: MatrixProductShape, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
        into c: UnsafeMutablePointer<Double>
    ) {
        let (m, n, k) = (Int32(shape.m), Int32(shape.n), Int32(shape.k))
        cblas_dgemm(
            CblasRowMajor,
            shape.transposesLeft ? CblasTrans : CblasNoTrans,
            shape.transposesRight ? CblasTrans : CblasNoTrans,
            m, n, k, 1, a, shape.transposesLeft ? m : k, b, shape.transposesRight ? k : n, 0, c, n)
    }
}
