/// A scalar type whose `tanh` a vectorised routine computes over whole
/// tensors, bit for bit as ``HyperbolicTangentKernel`` does element by
/// element.
///
/// The core links no C, so it does not call one itself: it looks, once, for
/// `Double`'s conformance to this protocol, and when it finds one,
/// ``HyperbolicTangent`` calls it for the value and for both rules. The
/// `Autograd` module links the one for `Double` (C loops for AVX-512 or
/// AVX2, in `AutogradVectorKernels`); without it the Swift loop runs, with
/// the same results.
///
/// ```swift
/// VectorKernels.hyperbolicTangentName   // "C loops, AVX-512" once Autograd is linked
/// ```
public protocol HyperbolicTangentVectorKernel {
    /// What computes `tanh`, as `autograd backends` reports it.
    static var hyperbolicTangentKernelName: String { get }

    /// Writes `tanh(input[i])` into `output[i]` for every element: the bits
    /// of ``HyperbolicTangentKernel/tanh(_:)``.
    static func hyperbolicTangent(_ input: UnsafeBufferPointer<Self>, into output: UnsafeMutablePointer<Self>)

    /// Writes `seed[i] · tanh′(input[i])` into `output[i]`, 0 where the seed
    /// is exactly 0 (a strong zero): the bits of the product of the seed and
    /// ``HyperbolicTangentKernel/derivative(_:)``.
    static func hyperbolicTangentDerivative(
        _ input: UnsafeBufferPointer<Self>, times seed: UnsafePointer<Self>, into output: UnsafeMutablePointer<Self>
    )
}

/// The vectorised kernels linked into this program, if any.
///
/// ```swift
/// VectorKernels.hyperbolicTangentName   // "Swift loop" without Autograd's C kernels
/// ```
public enum VectorKernels {
    /// `Double`'s vectorised `tanh`, looked up once (a failed conformance
    /// lookup scans every conformance in the process); a constant metatype,
    /// safe to share.
    @usableFromInline
    nonisolated(unsafe) static let hyperbolicTangent: (any HyperbolicTangentVectorKernel.Type)? =
        Double.self as? any HyperbolicTangentVectorKernel.Type

    /// What computes `tanh` on `Double` tensors: the kernel's name, or
    /// `"Swift loop"`.
    public static var hyperbolicTangentName: String {
        hyperbolicTangent?.hyperbolicTangentKernelName ?? "Swift loop"
    }
}

extension VectorKernels {
    /// `tanh` of every element through the linked kernel, or nil without one.
    @usableFromInline
    static func hyperbolicTangent(of x: TensorValue<Double>) -> TensorValue<Double>? {
        guard hyperbolicTangent != nil else { return nil }
        return x.withUnsafeBufferPointer { input in
            TensorValue(shape: x.shape) { output in _ = hyperbolicTangent(input, into: output) }
        }
    }

    /// `seed · tanh′(x)` element by element through the linked kernel, or nil
    /// without one; `seed` has `x`'s shape.
    @usableFromInline
    static func hyperbolicTangentDerivative(of x: TensorValue<Double>, times seed: TensorValue<Double>) -> TensorValue<Double>? {
        guard hyperbolicTangent != nil else { return nil }
        return x.withUnsafeBufferPointer { input in
            seed.withUnsafeBufferPointer { seed in
                TensorValue(shape: x.shape) { output in
                    // No elements (and so no seed's address): nothing to write.
                    guard let seed = seed.baseAddress else { return }
                    _ = hyperbolicTangentDerivative(input, times: seed, into: output)
                }
            }
        }
    }

    /// `tanh` of a block into `output`, through the kernel; `false` (nothing
    /// written) when no kernel is linked.
    @usableFromInline
    static func hyperbolicTangent(_ x: UnsafeBufferPointer<Double>, into output: UnsafeMutablePointer<Double>) -> Bool {
        guard let kernel = hyperbolicTangent else { return false }
        func run<Kernel: HyperbolicTangentVectorKernel>(_: Kernel.Type) {
            Kernel.hyperbolicTangent(rebound(x), into: rebound(output))
        }
        run(kernel)
        return true
    }

    /// `seed · tanh′(x)` of a block into `output`, through the kernel; `false`
    /// (nothing written) when no kernel is linked.
    @usableFromInline
    static func hyperbolicTangentDerivative(
        _ x: UnsafeBufferPointer<Double>, times seed: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>
    ) -> Bool {
        guard let kernel = hyperbolicTangent else { return false }
        func run<Kernel: HyperbolicTangentVectorKernel>(_: Kernel.Type) {
            Kernel.hyperbolicTangentDerivative(
                rebound(x), times: UnsafeRawPointer(seed).assumingMemoryBound(to: Kernel.self), into: rebound(output))
        }
        run(kernel)
        return true
    }

    /// The kernel's view of `Double` elements (its scalar type is `Double`).
    private static func rebound<Kernel>(_ elements: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Kernel> {
        UnsafeBufferPointer(start: UnsafeRawPointer(elements.baseAddress)?.assumingMemoryBound(to: Kernel.self), count: elements.count)
    }

    private static func rebound<Kernel>(_ elements: UnsafeMutablePointer<Double>) -> UnsafeMutablePointer<Kernel> {
        UnsafeMutableRawPointer(elements).assumingMemoryBound(to: Kernel.self)
    }
}
