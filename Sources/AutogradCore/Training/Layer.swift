/// A part of a model: a function of a tensor with parameters that learn,
/// like PyTorch's `nn.Module` (``Linear``, ``Activation``, ``Sequential``).
///
/// ```swift
/// var generator = SeededGenerator(seed: 0)
/// let model = Sequential(Linear(2, 16, using: &generator), Activation.tanh, Linear(16, 1, using: &generator))
/// let prediction = model(input)                       // [batch, 1]
/// var optimizer = try Adam(model.parameters, learningRate: 0.01)
/// ```
public protocol Layer {
    /// The tensors that learn (leaves that require gradients), in a fixed order.
    var parameters: [Tensor] { get }
    /// The layer applied to `input`.
    func callAsFunction(_ input: Tensor) -> Tensor
}

/// A layer without parameters that applies a function element-wise (or any
/// function of a tensor): the activations between ``Linear`` layers.
///
/// ```swift
/// Activation.relu(Tensor([-1.0, 2]))     // [0, 2]
/// Activation { $0.pow(2) }               // any function
/// ```
public struct Activation: Layer, Sendable {
    private let function: @Sendable (Tensor) -> Tensor

    /// The layer that applies `function`.
    public init(_ function: @escaping @Sendable (Tensor) -> Tensor) {
        self.function = function
    }

    /// No parameters.
    public var parameters: [Tensor] { [] }

    public func callAsFunction(_ input: Tensor) -> Tensor { function(input) }

    /// `max(x, 0)`.
    public static let relu = Activation { $0.relu() }
    /// `tanh x`.
    public static let tanh = Activation { $0.tanh() }
    /// `1/(1 + e⁻ˣ)`.
    public static let sigmoid = Activation { $0.sigmoid() }
}

/// Layers applied one after the other, like PyTorch's `nn.Sequential`; its
/// parameters are theirs, in order.
///
/// ```swift
/// let model = Sequential(Linear(2, 8, using: &generator), Activation.relu, Linear(8, 1, using: &generator))
/// model.parameters.count   // 4: two weights, two biases
/// ```
public struct Sequential: Layer {
    /// The layers, first applied first.
    public let layers: [any Layer]

    /// The composition of `layers`.
    public init(_ layers: any Layer...) { self.layers = layers }

    /// The composition of `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    public var parameters: [Tensor] { layers.flatMap(\.parameters) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }
}
