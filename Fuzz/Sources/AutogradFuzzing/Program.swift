import Autograd

/// A small tensor program decoded from fuzz bytes: leaves of random shapes
/// and values, then up to ``maximumSteps`` ops of the public `Tensor` API,
/// each on earlier values, and a final reduction to one element.
///
/// Decoding tracks every value's shape and builds only valid ops (operands
/// that broadcast, matrices whose inner dimensions agree, axes in range,
/// reshapes that keep the element count): a shape mismatch traps by design,
/// so the program never makes one, and any trap is a finding.
///
/// ```swift
/// var input = FuzzInput(bytes)
/// let program = Program(decoding: &input)
/// let leaves = program.makeLeaves()
/// let loss = program.run(leaves)        // records the graph
/// print(program)                        // the program as Swift code
/// ```
public struct Program: CustomStringConvertible {
    /// One leaf: its shape, values and whether it requires gradients.
    public struct Leaf {
        public let shape: Shape
        public let scalars: [Double]
        public let requiresGrad: Bool
    }

    /// The element-wise ops of one tensor.
    public enum UnaryOperation: CaseIterable {
        case negate, exp, log, sqrt, sin, cos, tanh, sigmoid, relu, abs, log1p, expm1, softplus, clamp

        /// Whether exact replay needs elementary functions (MPFI) for it.
        var isElementary: Bool {
            switch self {
            case .negate, .relu, .abs, .clamp: false
            default: true
            }
        }
    }

    /// `+ − × ÷`.
    public enum ArithmeticOperation: CaseIterable { case add, subtract, multiply, divide }

    /// One step; operands are indices into the values computed so far
    /// (leaves first).
    public indirect enum Step {
        case unary(UnaryOperation, Int)
        case binary(ArithmeticOperation, Int, Int)
        /// `x op c` or, when `constantFirst`, `c op x`.
        case scalar(ArithmeticOperation, Int, Double, constantFirst: Bool)
        case integerPower(Int, Int)
        case realPower(Int, Double)
        case sum(Int)
        case mean(Int)
        case sumAlong(Int, dim: Int)
        case meanAlong(Int, dim: Int)
        case reshape(Int, [Int])
        case transpose(Int)
        case transposeAxes(Int, Int, Int)
        case matmul(Int, Int)
        /// `x.matmul(x.transpose())`: always a valid product of a matrix.
        case gram(Int)
        case detach(Int)
        /// `x.detachInPlace()` on a value computed earlier; gives `x` itself.
        case detachInPlace(Int)
        /// A step computed inside `withNoGrad`.
        case noGrad(Step)
    }

    /// The most steps a program has: each input stays fast.
    public static let maximumSteps = 16
    /// The largest polynomial degree a value may reach in the leaves:
    /// exact rationals grow with it, so steps past it are left out.
    static let maximumDegree = 64

    public private(set) var leaves: [Leaf] = []
    public private(set) var steps: [Step] = []
    /// How the result is reduced to one element when it has more.
    public private(set) var finalMean = false
    /// Settings for the strategies, from the input too.
    public private(set) var settings: UInt8 = 0

    /// The shapes of the values, leaves first.
    private(set) var shapes: [Shape] = []
    /// An upper bound on each value's degree (exponent of the leaves).
    private var degrees: [Int] = []
    /// Whether the program has an elementary function (exact replay then
    /// uses intervals, whose size does not grow with the degree).
    public private(set) var isElementary = false

    /// Decodes a program: the leaves, then the steps, until the steps run
    /// out or the input does.
    public init(decoding input: inout FuzzInput) {
        settings = input.byte()
        let leafCount = 1 + input.choose(below: 3)
        for index in 0..<leafCount {
            let shape = Self.shape(&input)
            let scalars = (0..<shape.elementCount).map { _ in input.double() }
            // The first leaf requires gradients unless the settings say otherwise.
            let requiresGrad = index == 0 ? settings & 0x80 == 0 : input.flag()
            leaves.append(Leaf(shape: shape, scalars: scalars, requiresGrad: requiresGrad))
            shapes.append(shape)
            degrees.append(1)
        }
        let stepCount = input.choose(below: Self.maximumSteps + 1)
        var attempts = 0
        while steps.count < stepCount && attempts < 2 * Self.maximumSteps && !input.isExhausted {
            attempts += 1
            guard let step = decodeStep(&input, insideNoGrad: false) else { continue }
            append(step)
        }
        finalMean = input.flag()
    }

    /// A shape of rank 0 to 3 with dimensions up to 4 (3 at rank 3), rarely 0.
    static func shape(_ input: inout FuzzInput) -> Shape {
        let rank = input.choose(below: 4)
        let largest = rank == 3 ? 3 : 4
        return Shape((0..<rank).map { _ in
            let byte = input.byte()
            return byte % 16 == 15 ? 0 : 1 + Int(byte) % largest
        })
    }

    /// The step the next bytes describe, or `nil` when they describe one that
    /// does not apply (a matrix product of a vector, say).
    mutating func decodeStep(_ input: inout FuzzInput, insideNoGrad: Bool) -> Step? {
        let kind = input.choose(below: insideNoGrad ? 16 : 17)
        let x = input.choose(below: shapes.count)
        let shape = shapes[x]
        switch kind {
        case 0, 1:
            return .unary(input.choose(from: UnaryOperation.allCases), x)
        case 2, 3, 4:
            // An operand that broadcasts with x, looking from a chosen start.
            let start = input.choose(below: shapes.count)
            let candidates = (0..<shapes.count).map { (start + $0) % shapes.count }
            guard let y = candidates.first(where: { Shape.broadcast(shape, shapes[$0]) != nil }) else { return nil }
            let operation = input.choose(from: ArithmeticOperation.allCases)
            return input.flag() ? .binary(operation, x, y) : .binary(operation, y, x)
        case 5:
            return .scalar(input.choose(from: ArithmeticOperation.allCases), x, input.double(), constantFirst: input.flag())
        case 6:
            return .integerPower(x, input.choose(below: 8) - 3)
        case 7:
            return .realPower(x, input.choose(from: [0.5, -0.5, 1.5, 1.0 / 3, 2.5, -1.5, 0.25, 1e-3, 3.7, -2.2, .infinity, .nan]))
        case 8:
            return input.flag() ? .sum(x) : .mean(x)
        case 9:
            guard shape.rank > 0 else { return nil }
            let dim = input.choose(below: 2 * shape.rank) - shape.rank
            return input.flag() ? .sumAlong(x, dim: dim) : .meanAlong(x, dim: dim)
        case 10:
            return .reshape(x, Self.reshapeTarget(for: shape, &input))
        case 11:
            if shape.rank == 2 && input.flag() { return .transpose(x) }
            guard shape.rank > 0 else { return nil }
            return .transposeAxes(x, input.choose(below: 2 * shape.rank) - shape.rank, input.choose(below: 2 * shape.rank) - shape.rank)
        case 12:
            guard shape.rank == 2 else { return nil }
            let start = input.choose(below: shapes.count)
            let candidates = (0..<shapes.count).map { (start + $0) % shapes.count }
            if input.flag(), let y = candidates.first(where: { shapes[$0].rank == 2 && shapes[$0][0] == shape[1] }) {
                return .matmul(x, y)
            }
            if let w = candidates.first(where: { shapes[$0].rank == 2 && shapes[$0][1] == shape[0] }), input.flag() {
                return .matmul(w, x)
            }
            return .gram(x)
        case 13:
            return .detach(x)
        case 14:
            // Only values that ops made: a leaf's detachInPlace is the
            // same as requiresGrad = false, already covered.
            guard x >= leaves.count else { return nil }
            return .detachInPlace(x)
        case 15:
            return .unary(input.choose(from: [.relu, .abs, .negate, .tanh]), x)
        default:
            return decodeStep(&input, insideNoGrad: true).map { .noGrad($0) }
        }
    }

    /// A valid `reshape` target for `shape`, possibly with one `-1`.
    static func reshapeTarget(for shape: Shape, _ input: inout FuzzInput) -> [Int] {
        let count = shape.elementCount
        let divisors = count == 0 ? [0] : (1...count).filter { count % $0 == 0 }
        let a = input.choose(from: divisors)
        var options: [[Int]] = [[-1], [count], [1, -1], [-1, 1], [a, count == 0 ? 0 : count / a]]
        if count > 0 { options += [[a, -1], [-1, a], [1, a, -1], [a, 1, count / a]] }
        if count == 1 { options.append([]) }
        return input.choose(from: options)
    }

    /// Records a step's shape and degree, leaving out steps whose exact
    /// values would grow too large.
    mutating func append(_ step: Step) {
        let (shape, degree) = effect(of: step)
        guard isElementary || degree <= Self.maximumDegree else { return }
        steps.append(step)
        shapes.append(shape)
        degrees.append(degree)
        if step.isElementary { isElementary = true }
    }

    /// The shape a step gives, and a bound on its degree.
    func effect(of step: Step) -> (Shape, Int) {
        switch step {
        case .unary(_, let x), .detach(let x), .detachInPlace(let x):
            return (shapes[x], degrees[x])
        case .binary(_, let x, let y):
            return (Shape.broadcast(shapes[x], shapes[y])!, degrees[x] + degrees[y])
        case .scalar(_, let x, _, _):
            return (shapes[x], degrees[x])
        case .integerPower(let x, let n):
            return (shapes[x], degrees[x] * Swift.max(1, Swift.abs(n)))
        case .realPower(let x, _):
            return (shapes[x], degrees[x])
        case .sum(let x), .mean(let x):
            return ([], degrees[x])
        case .sumAlong(let x, let dim), .meanAlong(let x, let dim):
            var dimensions = shapes[x].dimensions
            dimensions.remove(at: dim < 0 ? dim + dimensions.count : dim)
            return (Shape(dimensions), degrees[x])
        case .reshape(let x, let target):
            let known = target.filter { $0 != -1 }.reduce(1, *)
            return (Shape(target.map { $0 == -1 ? shapes[x].elementCount / known : $0 }), degrees[x])
        case .transpose(let x):
            return (Shape(shapes[x].dimensions.reversed()), degrees[x])
        case .transposeAxes(let x, let a, let b):
            var dimensions = shapes[x].dimensions
            let rank = dimensions.count
            dimensions.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
            return (Shape(dimensions), degrees[x])
        case .matmul(let x, let y):
            return ([shapes[x][0], shapes[y][1]], degrees[x] + degrees[y])
        case .gram(let x):
            return ([shapes[x][0], shapes[x][0]], 2 * degrees[x])
        case .noGrad(let inner):
            return effect(of: inner)
        }
    }

    /// Fresh leaves with the program's values.
    public func makeLeaves() -> [Tensor] {
        leaves.map { Tensor($0.scalars, shape: $0.shape, requiresGrad: $0.requiresGrad) }
    }

    /// Runs the program on `inputs` (one per leaf), recording as the
    /// tensors say, and reduces the last value to one element.
    public func run(_ inputs: [Tensor]) -> Tensor {
        var values = inputs
        for step in steps {
            values.append(Self.apply(step, to: &values))
        }
        let last = values[values.count - 1]
        guard last.elementCount != 1 else { return last }
        return finalMean ? last.mean() : last.sum()
    }

    /// The value of one step.
    static func apply(_ step: Step, to values: inout [Tensor]) -> Tensor {
        switch step {
        case .unary(let operation, let x):
            let x = values[x]
            switch operation {
            case .negate: return -x
            case .exp: return x.exp()
            case .log: return x.log()
            case .sqrt: return x.sqrt()
            case .sin: return x.sin()
            case .cos: return x.cos()
            case .tanh: return x.tanh()
            case .sigmoid: return x.sigmoid()
            case .relu: return x.relu()
            case .abs: return x.abs()
            case .log1p: return x.log1p()
            case .expm1: return x.expm1()
            case .softplus: return x.softplus()
            case .clamp: return x.clamp(min: -1, max: 2)
            }
        case .binary(let operation, let x, let y):
            let (x, y) = (values[x], values[y])
            switch operation {
            case .add: return x + y
            case .subtract: return x - y
            case .multiply: return x * y
            case .divide: return x / y
            }
        case .scalar(let operation, let x, let c, let constantFirst):
            let x = values[x]
            switch (operation, constantFirst) {
            case (.add, false): return x + c
            case (.add, true): return c + x
            case (.subtract, false): return x - c
            case (.subtract, true): return c - x
            case (.multiply, false): return x * c
            case (.multiply, true): return c * x
            case (.divide, false): return x / c
            case (.divide, true): return c / x
            }
        case .integerPower(let x, let n): return values[x].pow(n)
        case .realPower(let x, let p): return values[x].pow(p)
        case .sum(let x): return values[x].sum()
        case .mean(let x): return values[x].mean()
        case .sumAlong(let x, let dim): return values[x].sum(dim: dim)
        case .meanAlong(let x, let dim): return values[x].mean(dim: dim)
        case .reshape(let x, let target): return values[x].applying(Reshape(target))
        case .transpose(let x): return values[x].transpose()
        case .transposeAxes(let x, let a, let b): return values[x].transpose(a, b)
        case .matmul(let x, let y): return values[x].matmul(values[y])
        case .gram(let x): return values[x].matmul(values[x].transpose())
        case .detach(let x): return values[x].detach()
        case .detachInPlace(let x):
            values[x].detachInPlace()
            return values[x]
        case .noGrad(let inner):
            return withNoGrad { apply(inner, to: &values) }
        }
    }

    /// The program as Swift code, for crash reports.
    public var description: String {
        var lines: [String] = []
        for (index, leaf) in leaves.enumerated() {
            lines.append("let v\(index) = Tensor(\(leaf.scalars), shape: \(leaf.shape), requiresGrad: \(leaf.requiresGrad))")
        }
        for (offset, step) in steps.enumerated() {
            lines.append("let v\(leaves.count + offset) = \(step.code)   // \(shapes[leaves.count + offset])")
        }
        let last = "v\(leaves.count + steps.count - 1)"
        lines.append(shapes.last!.elementCount == 1 ? "let loss = \(last)" : "let loss = \(last).\(finalMean ? "mean" : "sum")()")
        lines.append("// settings: \(settings), elementary: \(isElementary)")
        return lines.joined(separator: "\n")
    }
}

extension Program.Step {
    /// Whether the step is an elementary function.
    var isElementary: Bool {
        switch self {
        case .unary(let operation, _): operation.isElementary
        case .realPower: true
        case .noGrad(let inner): inner.isElementary
        default: false
        }
    }

    /// The step as Swift code.
    var code: String {
        switch self {
        case .unary(let operation, let x):
            operation == .negate ? "-v\(x)" : "v\(x).\(operation)()"
        case .binary(let operation, let x, let y):
            "v\(x) \(operation.symbol) v\(y)"
        case .scalar(let operation, let x, let c, let constantFirst):
            constantFirst ? "\(c) \(operation.symbol) v\(x)" : "v\(x) \(operation.symbol) \(c)"
        case .integerPower(let x, let n): "v\(x).pow(\(n))"
        case .realPower(let x, let p): "v\(x).pow(\(p))"
        case .sum(let x): "v\(x).sum()"
        case .mean(let x): "v\(x).mean()"
        case .sumAlong(let x, let dim): "v\(x).sum(dim: \(dim))"
        case .meanAlong(let x, let dim): "v\(x).mean(dim: \(dim))"
        case .reshape(let x, let target): "v\(x).applying(Reshape(\(target)))"
        case .transpose(let x): "v\(x).transpose()"
        case .transposeAxes(let x, let a, let b): "v\(x).transpose(\(a), \(b))"
        case .matmul(let x, let y): "v\(x).matmul(v\(y))"
        case .gram(let x): "v\(x).matmul(v\(x).transpose())"
        case .detach(let x): "v\(x).detach()"
        case .detachInPlace(let x): "{ v\(x).detachInPlace(); return v\(x) }()"
        case .noGrad(let inner): "withNoGrad { \(inner.code) }"
        }
    }
}

extension Program.ArithmeticOperation {
    /// `+`, `-`, `*` or `/`.
    var symbol: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        }
    }
}
