import AutogradCore

extension ReferenceScalar {
    /// Whether `self` and `other` may be equal without being certainly
    /// equal, so that comparing them is undecided: never for rationals; for
    /// enclosures, when they overlap and their difference is not exactly 0.
    func mayTie(with other: Self) -> Bool { mayEqual(other) && !(self - other).isCertainlyZero }
}

extension SelectingOperation {
    /// For each output element, the input elements it chose in `x`, and
    /// those that may tie with a chosen one (the choice is then undecided).
    func choices<S: ReferenceScalar>(_ x: TensorValue<S>) -> [(chosen: [Int], undecided: [Int])] {
        let values = x.scalars
        return zip(chosen(x), candidates(in: x.shape)).map { chosen, candidates in
            let undecided = candidates.filter { other in
                !chosen.contains(other) && chosen.contains { values[other].mayTie(with: values[$0]) }
            }
            return (chosen, undecided)
        }
    }
}
