import Autograd

/// Every built-in op of one tensor, with operands kept in each op's domain
/// (`log` of `x² + 1`, `sqrt` of `|x|`...), for tests that run them all.
enum BuiltInOperations {
    static let ofOneTensor: [(String, @Sendable (Tensor) -> Tensor)] = [
        ("pow(2)", { $0.pow(2) }), ("pow(3)", { $0.pow(3) }), ("pow(2.5)", { $0.abs().pow(2.5) }),
        ("exp", { $0.exp() }), ("log", { ($0 * $0 + 1).log() }), ("sqrt", { $0.abs().sqrt() }),
        ("sin", { $0.sin() }), ("cos", { $0.cos() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }),
        ("log1p", { $0.abs().log1p() }), ("expm1", { $0.expm1() }), ("softplus", { $0.softplus() }),
        ("abs", { $0.abs() }), ("relu", { $0.relu() }), ("clamp", { $0.clamp(min: -0.5, max: 0.7) }),
        ("x + c", { $0 + 0.3 }), ("x - c", { $0 - 0.3 }), ("c - x", { 0.3 - $0 }), ("x · c", { $0 * 0.3 }),
        ("x / c", { $0 / 1.9 }), ("c / x", { 0.3 / $0 }), ("-x", { -$0 }),
    ]
}
