@_exported import RealModule

/// The field layer of the scalar protocol: `+ − × ÷`, comparison and constants.
///
/// Every op that needs only field arithmetic (addition, multiplication, division,
/// integer powers, sums, matrix products, `relu`, `abs`) is written against this
/// protocol, so a recorded graph of such ops replays exactly over a rational type
/// as well as over `Double` or dual numbers.
///
/// Comparison orders by value: for dual numbers it compares the primal values,
/// which is how a replay takes the same branch (`relu`, `abs`) as the recorded run.
///
/// ```swift
/// func square<S: FieldScalar>(_ x: S) -> S { x * x }
/// square(3.0)   // 9.0
/// ```
public protocol FieldScalar: AlgebraicField, Comparable, Sendable {
    /// The scalar equal to a `Double` constant of a graph (a leaf's element or an
    /// op's parameter, such as the `2` of `x * 2`).
    ///
    /// Exact types represent `value` exactly; callers pass finite values only.
    init(_ value: Double)
}

/// The elementary-function layer: `exp`, `log`, `sin`, `sqrt`, real powers...
///
/// Ops such as `exp` and `tanh` require this layer, so a graph that contains them
/// replays over big floats rather than rationals.
///
/// ```swift
/// func softplus<S: ElementaryScalar>(_ x: S) -> S { S.log(onePlus: S.exp(x)) }
/// softplus(0.0)   // 0.6931471805599453
/// ```
public protocol ElementaryScalar: FieldScalar, ElementaryFunctions {}
