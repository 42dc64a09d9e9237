import AutogradCore

/// The ops of the interchange format, by the name a document gives them,
/// with what each takes: how many arguments, which parameters.
enum InterchangeOperation: String, CaseIterable {
    case add, sub, mul, div, rsub, rdiv
    case neg, abs, relu
    case exp, log, sqrt, sin, cos, tanh, sigmoid, log1p, expm1, softplus
    case pow, clamp
    case sum, mean, max
    case matmul, transpose, reshape, narrow, cat
    case gt, lt, ge, le, ne
    case `where`

    /// Every parameter key a node may have.
    static let parameterKeys: Set<String> = ["scalar", "exponent", "min", "max", "dim", "dims", "to", "start", "length"]

    /// The relation of a comparison.
    var relation: TensorComparison.Relation? { TensorComparison.Relation(rawValue: rawValue) }

    /// The element-wise ops of one tensor with no parameters, as the Swift API applies them.
    var unaryFunction: ((Tensor) -> Tensor)? {
        switch self {
        case .neg: { -$0 }
        case .abs: { $0.abs() }
        case .relu: { $0.relu() }
        case .exp: { $0.exp() }
        case .log: { $0.log() }
        case .sqrt: { $0.sqrt() }
        case .sin: { $0.sin() }
        case .cos: { $0.cos() }
        case .tanh: { $0.tanh() }
        case .sigmoid: { $0.sigmoid() }
        case .log1p: { $0.log1p() }
        case .expm1: { $0.expm1() }
        case .softplus: { $0.softplus() }
        default: nil
        }
    }

    /// The parameter keys this op may be given (with `arguments` arguments), and which are required.
    func parameters(arguments: Int) -> (allowed: Set<String>, required: Set<String>) {
        switch self {
        case .add, .sub, .mul, .div, .gt, .lt, .ge, .le, .ne:
            arguments == 1 ? (["scalar"], ["scalar"]) : ([], [])
        case .rsub, .rdiv: (["scalar"], ["scalar"])
        case .pow: (["exponent"], ["exponent"])
        case .clamp: (["min", "max"], [])
        case .sum, .mean, .max: (["dim"], [])
        case .transpose: (["dims"], ["dims"])
        case .reshape: (["to"], ["to"])
        case .narrow: (["dim", "start", "length"], ["dim", "start", "length"])
        case .cat: (["dim"], ["dim"])
        default: ([], [])
        }
    }

    /// The numbers of arguments this op takes, in words, when `count` is not one of them.
    func refusedArgumentCount(_ count: Int) -> String? {
        switch self {
        case .add, .sub, .mul, .div, .gt, .lt, .ge, .le, .ne: (1...2).contains(count) ? nil : "1 or 2 arguments"
        case .matmul: count == 2 ? nil : "2 arguments"
        case .cat: count >= 2 ? nil : "2 or more arguments"
        case .where: count == 3 ? nil : "3 arguments (the condition, then the two tensors)"
        default: count == 1 ? nil : "1 argument"
        }
    }
}
