import AutogradCore
import Testing

// Shared machinery for gradient tests: seeded inputs in an op's domain, the
// reverse-mode gradients of a weighted sum, central finite differences, and an
// element-by-element comparison with a stated relative tolerance.

/// The tolerances gradient tests compare with, relative to `max(1, |expected|)`.
enum GradientTolerance {
    /// Reverse mode against a hand-written formula: both are a few roundings
    /// from the true value, so they agree to a few ULPs.
    /// `|got − expected| ≤ 1e-12 · max(1, |expected|)`.
    static let analytic = 1e-12
    /// Reverse mode against central differences with `h = 1e-6 · max(1, |xᵢ|)`,
    /// whose truncation error is O(h²) and rounding error O(ε/h) ≈ 1e-10.
    /// `|got − expected| ≤ 1e-6 · max(1, |expected|)`.
    static let finiteDifference = 1e-6
}

/// Where an op's seeded inputs are drawn from.
enum InputDomain: Sendable {
    /// Uniform in [-2, 2).
    case anywhere
    /// Uniform in [0.5, 2.5): for log, sqrt and real powers.
    case positive
    /// Uniform in (-2, -0.5] ∪ [0.5, 2): for abs, relu and division by the input,
    /// so that the derivative is defined and finite differences never cross 0.
    case awayFromZero

    /// A tensor of `shape` drawn from this domain with `generator`.
    func sample(_ shape: Shape, using generator: inout SeededGenerator) -> Tensor {
        let unit = Tensor.rand(shape, using: &generator).scalars
        let scalars = unit.map { u -> Double in
            switch self {
            case .anywhere: -2 + 4 * u
            case .positive: 0.5 + 2 * u
            case .awayFromZero: u < 0.5 ? -(0.5 + 3 * u) : 0.5 + 3 * (u - 0.5)
            }
        }
        return Tensor(scalars, shape: shape)
    }
}

/// One op to differentiate: its inputs' shapes and domains, the op, and the
/// hand-written gradient of `sum(op(inputs) * weight)` for each input.
struct GradientCase: Sendable, CustomTestStringConvertible {
    /// An input's shape and the domain its values are drawn from.
    struct Input: Sendable {
        var shape: Shape
        var domain: InputDomain
    }

    let name: String
    let inputs: [Input]
    let op: @Sendable ([Tensor]) -> Tensor
    /// The analytic gradient with respect to each input, in row-major order,
    /// given the inputs and the weight (shaped like the op's output).
    let analytic: @Sendable (_ inputs: [Tensor], _ weight: Tensor) -> [[Double]]

    var testDescription: String { name }

    /// Seeded inputs, and a seeded standard-normal weight shaped like the op's
    /// output, so the gradient flowing into the op is not all ones. The seed
    /// depends only on the case's name.
    func sample() -> (inputs: [Tensor], weight: Tensor) {
        var generator = SeededGenerator(seed: stableSeed(name))
        let values = inputs.map { $0.domain.sample($0.shape, using: &generator) }
        let weight = Tensor.randn(op(values).shape, using: &generator)
        return (values, weight)
    }
}

extension GradientCase {
    /// An element-wise op of one tensor with scalar derivative `derivative`:
    /// the gradient is `weight[i] · derivative(x[i])`.
    static func elementwise(
        _ name: String, domain: InputDomain = .anywhere, shape: Shape = [3, 4],
        _ op: @escaping @Sendable (Tensor) -> Tensor,
        derivative: @escaping @Sendable (Double) -> Double
    ) -> GradientCase {
        GradientCase(
            name: name, inputs: [Input(shape: shape, domain: domain)], op: { op($0[0]) },
            analytic: { x, w in [zip(w.scalars, x[0].scalars).map { $0 * derivative($1) }] }
        )
    }

    /// Any op of one tensor, with its gradient written out by hand.
    static func unary(
        _ name: String, shape: Shape, domain: InputDomain = .anywhere,
        _ op: @escaping @Sendable (Tensor) -> Tensor,
        analytic: @escaping @Sendable (_ x: Tensor, _ weight: Tensor) -> [Double]
    ) -> GradientCase {
        GradientCase(
            name: name, inputs: [Input(shape: shape, domain: domain)], op: { op($0[0]) },
            analytic: { x, w in [analytic(x[0], w)] }
        )
    }

    /// An element-wise op of two tensors under NumPy broadcasting, with partial
    /// derivatives `da` and `db`: each input's gradient is `weight · ∂` summed
    /// over the positions that broadcasting read that element into.
    static func broadcasting(
        _ name: String,
        _ a: (Shape, InputDomain), _ b: (Shape, InputDomain),
        _ op: @escaping @Sendable (Tensor, Tensor) -> Tensor,
        da: @escaping @Sendable (Double, Double) -> Double,
        db: @escaping @Sendable (Double, Double) -> Double
    ) -> GradientCase {
        GradientCase(
            name: name,
            inputs: [Input(shape: a.0, domain: a.1), Input(shape: b.0, domain: b.1)],
            op: { op($0[0], $0[1]) },
            analytic: { inputs, w in
                let (a, b) = (inputs[0], inputs[1])
                let aSource = broadcastSourceIndices(from: a.shape, to: w.shape)
                let bSource = broadcastSourceIndices(from: b.shape, to: w.shape)
                var ga = [Double](repeating: 0, count: a.elementCount)
                var gb = [Double](repeating: 0, count: b.elementCount)
                for (o, weight) in w.scalars.enumerated() {
                    let (i, j) = (aSource[o], bSource[o])
                    ga[i] += weight * da(a.scalars[i], b.scalars[j])
                    gb[j] += weight * db(a.scalars[i], b.scalars[j])
                }
                return [ga, gb]
            }
        )
    }

    /// Any op of two tensors, with both gradients written out by hand.
    static func binary(
        _ name: String, _ a: Shape, _ b: Shape,
        _ op: @escaping @Sendable (Tensor, Tensor) -> Tensor,
        analytic: @escaping @Sendable (_ a: Tensor, _ b: Tensor, _ weight: Tensor) -> [[Double]]
    ) -> GradientCase {
        GradientCase(
            name: name,
            inputs: [Input(shape: a, domain: .anywhere), Input(shape: b, domain: .anywhere)],
            op: { op($0[0], $0[1]) },
            analytic: { inputs, w in analytic(inputs[0], inputs[1], w) }
        )
    }
}

/// The gradients of `sum(op(inputs) * weight)` with respect to fresh leaves
/// holding `inputs`, computed twice: by `ReverseMode().gradient(of:withRespectTo:)`
/// and by `backward()` (read from `.grad`, `nil` if it was not set).
func reverseModeGradients(
    of op: ([Tensor]) -> Tensor, at inputs: [Tensor], weight: Tensor
) throws -> (strategy: [Tensor], backward: [Tensor?]) {
    let leaves = inputs.map { Tensor($0.value, requiresGrad: true) }
    let loss = (op(leaves) * weight).sum()
    let strategy = try ReverseMode().gradient(of: loss, withRespectTo: leaves)
    try loss.backward()
    return (strategy, leaves.map(\.grad))
}

/// The gradients of `sum(op(inputs) * weight)` by central differences:
/// `(f(x + h eᵢ) − f(x − h eᵢ)) / 2h` with `h = 1e-6 · max(1, |xᵢ|)`, one
/// element of one input at a time, evaluated in `Double` without recording.
func finiteDifferenceGradients(
    of op: ([Tensor]) -> Tensor, at inputs: [Tensor], weight: Tensor
) -> [[Double]] {
    var scalars = inputs.map(\.scalars)
    func loss() -> Double {
        withNoGrad {
            let tensors = zip(scalars, inputs).map { Tensor($0, shape: $1.shape) }
            return (op(tensors) * weight).sum().item()
        }
    }
    return inputs.indices.map { k in
        scalars[k].indices.map { i in
            let x = scalars[k][i]
            let h = 1e-6 * max(1, abs(x))
            scalars[k][i] = x + h
            let up = loss()
            scalars[k][i] = x - h
            let down = loss()
            scalars[k][i] = x
            return (up - down) / (2 * h)
        }
    }
}

/// Expects `gradient` to exist, to have `shape`, and to equal `expected`
/// element by element: `|got − expected| ≤ tolerance · max(1, |expected|)`.
/// Reports up to four offending elements with both values.
func expectGradient(
    _ gradient: Tensor?, shape: Shape, equals expected: [Double], tolerance: Double,
    _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let gradient else {
        Issue.record("\(label): no gradient", sourceLocation: sourceLocation)
        return
    }
    #expect(gradient.shape == shape, "\(label): gradient shape", sourceLocation: sourceLocation)
    guard gradient.elementCount == expected.count else {
        Issue.record(
            "\(label): \(gradient.elementCount) gradient elements, expected \(expected.count)",
            sourceLocation: sourceLocation
        )
        return
    }
    let mismatches = zip(gradient.scalars, expected).enumerated().filter { _, pair in
        !(abs(pair.0 - pair.1) <= tolerance * max(1, abs(pair.1)))
    }
    let report = mismatches.prefix(4)
        .map { index, pair in "[\(index)] got \(pair.0), expected \(pair.1)" }
        .joined(separator: "; ")
    #expect(
        mismatches.isEmpty,
        "\(label): \(mismatches.count) of \(expected.count) elements differ: \(report)",
        sourceLocation: sourceLocation
    )
}

/// Every multi-index of `shape` in row-major order (one empty index for rank 0).
func rowMajorIndices(_ shape: Shape) -> [[Int]] {
    shape.dimensions.reduce([[]]) { indices, extent in
        indices.flatMap { prefix in (0..<extent).map { prefix + [$0] } }
    }
}

/// For each element of a tensor of shape `output`, in row-major order, the
/// flat index of the element of a tensor of shape `input` that NumPy
/// broadcasting reads there (shapes aligned on the right; size-1 axes repeat).
func broadcastSourceIndices(from input: Shape, to output: Shape) -> [Int] {
    let offset = output.rank - input.rank
    var strides = [Int](repeating: 1, count: input.rank)
    for axis in stride(from: input.rank - 2, through: 0, by: -1) {
        strides[axis] = strides[axis + 1] * input[axis + 1]
    }
    return rowMajorIndices(output).map { index in
        input.dimensions.indices.reduce(0) { flat, axis in
            flat + (input[axis] == 1 ? 0 : index[axis + offset]) * strides[axis]
        }
    }
}

/// A seed that depends only on `text` (FNV-1a), so each case's inputs are
/// fixed across runs and do not depend on the order cases run in.
func stableSeed(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}
