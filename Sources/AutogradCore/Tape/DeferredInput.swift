import Synchronization

/// The first input of a graph node whose values are deferred (`p − r`, kept
/// by the square in `(p − r).pow(2)`): the values, never written out unless
/// a rule needs them, and the input's gradient that a final `sum()` or
/// `mean()` may compute in the forward pass.
///
/// That sum reads `p` and `r` once for the loss and the square's reverse
/// rule together (``FusedPairKernel``), as a hand-written loop would, for
/// the uniform seed it will hand the square when the loss's gradient is 1;
/// the backward pass then only hands the gradient on. The graph holds that
/// gradient where it held the difference before, so it costs no more
/// memory; a pass with another seed computes the rule as usual.
///
/// ```swift
/// let input = DeferredInput(differences)
/// input.offer(seed: 1, gradient: g)            // by the forward sum
/// input.takeGradient(seed: 1, keeping: false)  // by the backward pass: g
/// ```
@usableFromInline
final class DeferredInput: Sendable {
    private struct Precomputed {
        var seed: Double
        var gradient: TensorValue<Double>
    }

    private enum State {
        case empty
        case precomputed(Precomputed)
        /// The node was freed: nothing more is kept.
        case closed
    }

    /// The input's values, computed on the first read.
    @usableFromInline let values: any DeferredElementwiseValues
    private let state = Mutex<State>(.empty)

    @usableFromInline
    init(_ values: any DeferredElementwiseValues) {
        self.values = values
    }

    /// Whether an offered gradient would be kept (none yet, and the node not freed).
    var wantsGradient: Bool {
        state.withLock { if case .empty = $0 { true } else { false } }
    }

    /// Keeps `gradient`, the input's gradient for a uniform `seed`, unless
    /// one is kept or the node was freed.
    func offer(seed: Double, gradient: TensorValue<Double>) {
        state.withLock { state in
            if case .empty = state { state = .precomputed(Precomputed(seed: seed, gradient: gradient)) }
        }
    }

    /// The gradient kept for `seed` (the same bits), or `nil`; it stays
    /// kept when `keeping` (a pass that retains the graph).
    func takeGradient(seed: Double, keeping: Bool) -> TensorValue<Double>? {
        state.withLock { state in
            guard case .precomputed(let kept) = state, kept.seed.bitPattern == seed.bitPattern else { return nil }
            if !keeping { state = .closed }
            return kept.gradient
        }
    }

    /// Lets go of the gradient kept and refuses further offers: the node was freed.
    func close() {
        state.withLock { $0 = .closed }
    }
}
