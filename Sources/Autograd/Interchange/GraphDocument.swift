import AutogradCore

/// A recorded graph as a document of the interchange format (see
/// <doc:GraphInterchangeFormat>): its ops by name and parameters, its inputs
/// with their exact values, the output, and optionally gradients computed
/// elsewhere, such as PyTorch's.
///
/// ```swift
/// let x = Tensor([5.0, 10, 18], requiresGrad: true)
/// var document = try GraphDocument(x.tanh().sum(), names: ["x"])
/// document.inputs[0].gradient = [1.8e-4, 8.2e-9, 9.3e-16]       // from elsewhere
/// let text = document.json()                                   // and back:
/// let (inputs, loss) = try GraphDocument(json: text).record()
/// ```
public struct GraphDocument: Sendable, Equatable {
    /// The value of the document's `format` key.
    public static let formatName = "autograd-graph"
    /// The version this library reads and writes.
    public static let currentVersion = 1

    /// The floating-point type the values and gradients were computed in.
    public enum ScalarType: String, Sendable, CaseIterable {
        /// IEEE double precision, as `Double`.
        case float64
        /// IEEE single precision, as `Float`: values are still written as
        /// (exact) doubles.
        case float32
    }

    /// A leaf of the graph: its values, and a gradient computed elsewhere.
    public struct Input: Sendable, Equatable {
        /// Unique among inputs and nodes.
        public var name: String
        /// The dimensions.
        public var shape: Shape
        /// Whether the graph is differentiated with respect to it.
        public var requiresGrad: Bool
        /// The elements, row-major.
        public var values: [Double]
        /// The gradient computed elsewhere (row-major, like `values`), if any.
        public var gradient: [Double]?

        /// An input named `name` holding `values` in `shape`.
        public init(name: String, shape: Shape, requiresGrad: Bool = true, values: [Double], gradient: [Double]? = nil) {
            (self.name, self.shape, self.requiresGrad, self.values, self.gradient) = (name, shape, requiresGrad, values, gradient)
        }

        public static func == (a: Input, b: Input) -> Bool {
            a.name == b.name && a.shape == b.shape && a.requiresGrad == b.requiresGrad
                && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
                && a.gradient?.map(\.bitPattern) == b.gradient?.map(\.bitPattern)
        }
    }

    /// An integer or a real exponent of `pow`.
    public enum Exponent: Sendable, Equatable {
        /// `x.pow(3)`: exact over rationals.
        case integer(Int)
        /// `x.pow(2.5)`: needs elementary functions.
        case real(Double)
    }

    /// The parameters of one op; each op reads the ones it takes (see the
    /// format's table) and a reader refuses the others.
    public struct Parameters: Sendable, Equatable {
        /// The constant of a scalar op (`x + c`, `c - x`, `x.gt(c)`).
        public var scalar: Double?
        /// `pow`'s exponent.
        public var exponent: Exponent?
        /// `clamp`'s lower bound.
        public var minimum: Double?
        /// `clamp`'s upper bound.
        public var maximum: Double?
        /// The axis of a reduction, `narrow` or `cat`.
        public var dim: Int?
        /// The two axes `transpose` swaps.
        public var dims: [Int]?
        /// The dimensions `reshape` gives (one may be -1).
        public var to: [Int]?
        /// `narrow`'s first position.
        public var start: Int?
        /// `narrow`'s number of positions.
        public var length: Int?

        /// No parameters; set the ones the op takes.
        public init() {}
    }

    /// One op applied to earlier inputs or nodes.
    public struct Node: Sendable, Equatable {
        /// Unique among inputs and nodes.
        public var name: String
        /// The op, as the format names it: `"add"`, `"tanh"`, `"matmul"`...
        public var operation: String
        /// The names of the inputs or nodes it reads, in order.
        public var arguments: [String]
        /// The output's shape, checked when read; `nil` when not given.
        public var shape: Shape?
        /// The op's parameters.
        public var parameters: Parameters
        /// The gradient of the output with respect to this node's output,
        /// computed elsewhere (row-major), if any: with it, a judge finds
        /// the op where an error first appears.
        public var gradient: [Double]?

        /// The node `name` applying `operation` to `arguments`.
        public init(
            name: String, operation: String, arguments: [String], shape: Shape? = nil, parameters: Parameters = Parameters(),
            gradient: [Double]? = nil
        ) {
            (self.name, self.operation, self.arguments, self.shape, self.parameters) = (name, operation, arguments, shape, parameters)
            self.gradient = gradient
        }

        public static func == (a: Node, b: Node) -> Bool {
            a.name == b.name && a.operation == b.operation && a.arguments == b.arguments && a.shape == b.shape
                && a.parameters == b.parameters && a.gradient?.map(\.bitPattern) == b.gradient?.map(\.bitPattern)
        }
    }

    /// The type the values and gradients were computed in.
    public var scalarType: ScalarType
    /// Who computed the gradients, as a report names them: `"torch 2.15.0"`.
    public var producer: String?
    /// The leaves, in order.
    public var inputs: [Input]
    /// The ops, each after what it reads.
    public var nodes: [Node]
    /// The name of the input or node the graph computes.
    public var output: String

    /// A document with the given parts; ``record()`` checks them.
    public init(scalarType: ScalarType = .float64, producer: String? = nil, inputs: [Input], nodes: [Node], output: String) {
        (self.scalarType, self.producer, self.inputs, self.nodes, self.output) = (scalarType, producer, inputs, nodes, output)
    }
}
