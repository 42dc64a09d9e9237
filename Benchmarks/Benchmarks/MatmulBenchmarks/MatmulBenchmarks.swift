// Matrix products of 512×512 by 512×512 doubles: the tape's matmul (forward,
// and forward with both reverse products) beside the same cblas_dgemm calls
// made directly on buffers allocated once. Their ratio, read in one run, is
// what the tape adds to OpenBLAS. OpenBLAS picks its thread count
// (OPENBLAS_NUM_THREADS=1 for one thread); both sides use the same.
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target MatmulBenchmarks --no-progress

import Autograd
import Benchmark
import CBLASDirect

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 2, maxDuration: .seconds(3), maxIterations: 300
    )
    let size = 512

    Benchmark("matmul 512x512 forward, tape", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { blackHole(state.a.matmul(state.b)) }
    } setup: {
        MatmulOperands(size: size)
    }

    Benchmark("matmul 512x512 forward, cblas_dgemm direct", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { state.forward(); blackHole(state.c[0]) }
    } setup: {
        DirectProducts(size: size)
    }

    Benchmark("matmul 512x512 forward+backward, tape", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations {
            let product = state.a.matmul(state.b)
            try product.backward(gradient: state.seed)
            blackHole(state.a.grad)
            state.a.zeroGrad(); state.b.zeroGrad()
        }
    } setup: {
        MatmulOperands(size: size)
    }

    Benchmark("matmul 512x512 forward+backward, cblas_dgemm direct", configuration: configuration) { benchmark, state in
        for _ in benchmark.scaledIterations { state.forward(); state.backward(); blackHole(state.gradientA[0]) }
    } setup: {
        DirectProducts(size: size)
    }
}

/// Two random square matrices that require gradients, and a seed gradient.
final class MatmulOperands {
    let a: Tensor, b: Tensor, seed: Tensor

    init(size: Int) {
        var generator = SeededGenerator(seed: 5)
        a = Tensor.randn([size, size], requiresGrad: true, using: &generator)
        b = Tensor.randn([size, size], requiresGrad: true, using: &generator)
        seed = Tensor.randn([size, size], using: &generator)
    }
}

/// The same products as the tape's, by cblas_dgemm on buffers allocated once:
/// C = A·B, then ∂A = G·Bᵀ and ∂B = Aᵀ·G.
final class DirectProducts {
    let size: Int
    let a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>, seed: UnsafeMutablePointer<Double>
    let c: UnsafeMutablePointer<Double>, gradientA: UnsafeMutablePointer<Double>, gradientB: UnsafeMutablePointer<Double>

    init(size: Int) {
        self.size = size
        let operands = MatmulOperands(size: size)
        func copy(_ tensor: Tensor) -> UnsafeMutablePointer<Double> {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: size * size)
            pointer.initialize(from: tensor.scalars, count: size * size)
            return pointer
        }
        (a, b, seed) = (copy(operands.a), copy(operands.b), copy(operands.seed))
        func zeros() -> UnsafeMutablePointer<Double> {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: size * size)
            pointer.initialize(repeating: 0, count: size * size)
            return pointer
        }
        (c, gradientA, gradientB) = (zeros(), zeros(), zeros())
    }

    deinit { for pointer in [a, b, seed, c, gradientA, gradientB] { pointer.deallocate() } }

    @inline(never)
    func forward() {
        let n = Int32(size)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n)
    }

    @inline(never)
    func backward() {
        let n = Int32(size)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, seed, n, b, n, 0, gradientA, n)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1, a, n, seed, n, 0, gradientB, n)
    }
}
