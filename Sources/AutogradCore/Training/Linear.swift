/// A fully connected layer, `y = x·Wᵀ + b`, like PyTorch's `nn.Linear`:
/// `weight` has shape `[outputs, inputs]`, `bias` `[outputs]`, both drawn
/// uniformly from ±1/√inputs as PyTorch's default initialisation does.
///
/// ```swift
/// var generator = SeededGenerator(seed: 0)
/// let layer = Linear(2, 3, using: &generator)
/// layer(Tensor.ones(5, 2)).shape   // [5, 3]
/// ```
public struct Linear: Layer {
    /// `[outputs, inputs]`, requiring gradients.
    public let weight: Tensor
    /// `[outputs]`, requiring gradients; `nil` without a bias.
    public let bias: Tensor?

    /// A layer from `inputs` features to `outputs`, with random parameters.
    public init(_ inputs: Int, _ outputs: Int, bias: Bool = true, using generator: inout some RandomNumberGenerator) {
        guard inputs > 0, outputs > 0 else {
            fatalError("Linear: needs at least one input and one output feature, got \(inputs) → \(outputs)")
        }
        let bound = 1 / Double(inputs).squareRoot()
        func uniform(_ shape: Shape) -> Tensor {
            let values = (0..<shape.elementCount).map { _ in Double.random(in: -bound...bound, using: &generator) }
            return Tensor(TensorValue(shape: shape, scalars: values), requiresGrad: true)
        }
        weight = uniform([outputs, inputs])
        self.bias = bias ? uniform([outputs]) : nil
    }

    /// A layer with the given parameters, used as they are (to train them,
    /// pass leaves that require gradients).
    public init(weight: Tensor, bias: Tensor?) {
        guard weight.rank == 2, bias.map({ $0.shape == [weight.shape[0]] }) ?? true else {
            fatalError("Linear: weight must be [outputs, inputs] and bias [outputs], got \(weight.shape) and \(bias.map { "\($0.shape)" } ?? "none")")
        }
        (self.weight, self.bias) = (weight, bias)
    }

    public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }

    /// `input` of shape `[batch, inputs]` to `[batch, outputs]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard input.rank == 2, input.shape[1] == weight.shape[1] else {
            fatalError("Linear: input of shape \(input.shape) does not fit a weight of shape \(weight.shape): expected [batch, \(weight.shape[1])]")
        }
        let product = input.matmul(weight.transpose())
        return bias.map { product + $0 } ?? product
    }
}
