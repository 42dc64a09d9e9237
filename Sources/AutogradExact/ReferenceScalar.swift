import AutogradCore
import CMPFI

/// What the exact reference needs of its scalar beyond field arithmetic:
/// exact rationals and rigorous enclosures both answer "may these be equal?"
/// and "is this certainly zero?", which is all a proof by comparison needs.
protocol ReferenceScalar: FieldScalar {
    /// Whether `self` and `other` may denote the same real number: equality
    /// for rationals; overlapping enclosures for intervals. `false` proves
    /// them different.
    func mayEqual(_ other: Self) -> Bool
    /// Whether `self` is certainly zero (a rational 0, the interval [0, 0]).
    var isCertainlyZero: Bool { get }
    /// A `Double` at least `|self|` (infinity when it overflows).
    var magnitudeBound: Double { get }
    /// The value, for a report.
    var referenceDescription: String { get }
    /// Whether `operation` may take more than one branch at this value: never
    /// for a rational; for an enclosure, when its endpoints lie on different
    /// branches (the branch point inside) or it is NaN. Assumes, as for the
    /// sign, that each branch is an interval of the real line.
    func branchIsUndecided(_ operation: any BranchingOperation) -> Bool
    /// The pieces of an enclosure cut at the branch points it holds: below,
    /// at, between and above them (`[self]` when it holds none).
    func pieces(around points: [Double]) -> [Self]
    /// The smallest enclosure of both values.
    func hull(_ other: Self) -> Self
}

extension Rational: ReferenceScalar {
    func mayEqual(_ other: Rational) -> Bool { self == other }
    func branchIsUndecided(_ operation: any BranchingOperation) -> Bool { false }
    // A rational's branch is always decided: these are never needed.
    func pieces(around points: [Double]) -> [Rational] { [self] }
    func hull(_ other: Rational) -> Rational { self }
    var isCertainlyZero: Bool { signum == 0 }
    var magnitudeBound: Double {
        let nearest = Swift.abs(doubleValue)
        return nearest == 0 && signum != 0 ? .leastNonzeroMagnitude : nearest.nextUp
    }
    var referenceDescription: String {
        let fraction = fractionDescription
        return fraction.count <= 40 ? fraction : "≈ \(doubleValue)"
    }
}

extension BigInterval: ReferenceScalar {
    func mayEqual(_ other: BigInterval) -> Bool {
        if isNaN || other.isNaN { return true }
        return !(upper < other.lower || other.upper < lower)
    }
    var isCertainlyZero: Bool { isZero }
    func branchIsUndecided(_ operation: any BranchingOperation) -> Bool {
        isNaN || operation.branch(at: lower) != operation.branch(at: upper)
    }
    func pieces(around points: [Double]) -> [BigInterval] {
        let inside = points.map { BigFloat($0, precision: precision) }.filter { lower <= $0 && $0 <= upper }
        guard !inside.isEmpty else { return [self] }
        // Two more bits than the endpoints: the midpoint of a thin piece such
        // as [2, 2 + 2⁻²⁵⁴], by which the replay's comparisons pick its
        // branch, is then exact instead of rounding onto the branch point.
        let piecePrecision = precision + 2
        func piece(_ from: BigFloat, _ to: BigFloat) -> BigInterval {
            BigInterval.make(precision: piecePrecision) { _ = mpfi_interv_fr($0, from.storage.pointer, to.storage.pointer) }
        }
        var pieces: [BigInterval] = []
        var start = lower
        for point in inside {
            pieces += [piece(start, point), piece(point, point)]
            start = point
        }
        return pieces + [piece(start, upper)]
    }
    func hull(_ other: BigInterval) -> BigInterval {
        BigInterval.make(precision: Swift.max(precision, other.precision)) {
            _ = mpfi_union($0, storage.pointer, other.storage.pointer)
        }
    }
    var magnitudeBound: Double {
        guard !isNaN else { return .infinity }
        let largest = Swift.max(Swift.abs(lower.doubleValue), Swift.abs(upper.doubleValue))
        return largest == 0 ? 0 : largest.nextUp
    }
    var referenceDescription: String { description }
}
