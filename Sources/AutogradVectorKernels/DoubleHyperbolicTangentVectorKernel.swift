import AutogradCore
import CVectorKernels

/// `tanh` and its reverse and forward rules on `Double` tensors through C
/// loops that vectorise for AVX-512 or AVX2 (whichever the processor has),
/// giving bit for bit what ``HyperbolicTangentKernel`` gives element by
/// element.
///
/// The core finds this conformance at run time (it links no C): a program
/// that links `Autograd` computes `tanh` on `Double` tensors here.
///
/// ```swift
/// VectorKernels.hyperbolicTangentName   // "C loops, AVX-512" on this machine
/// ```
extension Double: HyperbolicTangentVectorKernel {
    /// `"C loops, "` and the instruction set the loops run with.
    public static var hyperbolicTangentKernelName: String {
        "C loops, " + String(cString: autograd_vector_kernels_instruction_set())
    }

    /// `output[i] = tanh(input[i])`.
    public static func hyperbolicTangent(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutablePointer<Double>) {
        guard let base = input.baseAddress else { return }
        autograd_tanh(base, output, input.count)
    }

    /// `output[i] = seed[i] · tanh′(input[i])`, with a strong zero.
    public static func hyperbolicTangentDerivative(
        _ input: UnsafeBufferPointer<Double>, times seed: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>
    ) {
        guard let base = input.baseAddress else { return }
        autograd_tanh_derivative_times(base, seed, output, input.count)
    }
}
