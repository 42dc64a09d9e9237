import AutogradExact

/// How far one element of a computed gradient is from the truth, and how far
/// it may be: the measure both the gradient check and the judge apply.
///
/// ```swift
/// let measured = ElementError(computed: 1.0.nextUp, truth: 1, status: .exact, bound: 0x1p-52, unit: 1.0.ulp)
/// measured.ulp             // 1
/// measured.isWithinBound   // true: 1 ulp, within the bound plus half an ulp
/// ```
struct ElementError {
    /// The absolute error; for a truth only enclosed, the distance to its enclosure.
    let error: Double
    /// The error in units of `unit` (ULPs of the true value); `nil` when the truth is only enclosed.
    let ulp: Double?
    /// The bound, plus half a unit where the truth was rounded once to be compared.
    let allowed: Double

    /// Whether the element is within its bound (NaN is not).
    var isWithinBound: Bool { error <= allowed }

    /// The measure of `value` against `truth` (correctly rounded, or an
    /// enclosure's midpoint as `status` says), with `bound` the rounding bound
    /// and `unit` one ULP of the truth in the type it was computed in.
    init(computed value: Double, truth: Double, status: ExactGradient.ElementStatus, bound: Double, unit: Double) {
        if case .unresolved(let lower, let upper, _) = status {
            error = value.isNaN ? .infinity : Swift.max(0, lower - value, value - upper)
            ulp = nil
        } else {
            error = value == truth ? 0 : (value.isFinite && truth.isFinite ? abs(value - truth) : .infinity)
            ulp = error == 0 ? 0 : (truth.isFinite ? error / unit : .infinity)
        }
        // The reference is rounded once: half an ulp of it is allowed besides the bound.
        allowed = bound + (status.isResolved && truth.isFinite ? unit / 2 : 0)
    }
}
