import AutogradCore

extension GraphDocument {
    /// The document of the graph that computed `result`: its leaves (those of
    /// `inputs` first, by those names, the others as `input0`, `input1`...),
    /// every op with its parameters and output shape, in the order they were
    /// recorded. Throws ``GraphDocumentError`` for an op the format does not
    /// have (a custom op), for a `where` whose condition no comparison
    /// computed, and for a leaf changed in place since the graph read it.
    ///
    /// ```swift
    /// let document = try GraphDocument((predicted - real).pow(2).sum(), inputs: ["predicted": predicted, "real": real])
    /// print(document.json())
    /// ```
    public init(_ result: Tensor, inputs named: KeyValuePairs<String, Tensor> = [:], producer: String? = nil) throws(GraphDocumentError) {
        let graph = RecordedGraph(result)
        do { try graph.checkLeavesUnchanged() } catch {
            throw GraphDocumentError(path: "$.inputs", expected: "leaves holding the values the graph read", found: "\(error)")
        }
        var writer = DocumentWriter()
        for (name, tensor) in named { try writer.addInput(tensor, name: name) }
        for leaf in graph.leaves where writer.name(of: leaf) == nil { try writer.addInput(leaf, name: nil) }
        for (index, node) in graph.nodes.enumerated() { try writer.add(node, at: "$.nodes[\(index)]") }
        let output = graph.nodes.last.map { writer.names[ObjectIdentifier($0)]! } ?? writer.name(of: result)!
        self.init(scalarType: .float64, producer: producer, inputs: writer.inputs, nodes: writer.nodes, output: output)
    }

    /// The document as JSON text, every number exact, keys in the format's order.
    ///
    /// ```swift
    /// try document.json().write(toFile: "loss.json", atomically: true, encoding: .utf8)
    /// ```
    public func json() -> String {
        func hex(_ values: [Double]) -> JSONValue { .array(values.map { .string(HexadecimalFloat.text($0)) }) }
        func dimensions(_ shape: Shape) -> JSONValue { .array(shape.dimensions.map { .integer($0) }) }
        let inputs = inputs.map { input in
            var members: [(key: String, value: JSONValue)] = [
                ("name", .string(input.name)), ("shape", dimensions(input.shape)), ("requires_grad", .bool(input.requiresGrad)),
                ("values", hex(input.values)),
            ]
            if let gradient = input.gradient { members.append(("gradient", hex(gradient))) }
            return JSONValue.object(members)
        }
        let nodes = nodes.map { node in
            var members: [(key: String, value: JSONValue)] = [
                ("name", .string(node.name)), ("op", .string(node.operation)), ("args", .array(node.arguments.map { .string($0) })),
            ]
            if let shape = node.shape { members.append(("shape", dimensions(shape))) }
            let p = node.parameters
            if let scalar = p.scalar { members.append(("scalar", .string(HexadecimalFloat.text(scalar)))) }
            switch p.exponent {
            case .integer(let n)?: members.append(("exponent", .integer(n)))
            case .real(let x)?: members.append(("exponent", .string(HexadecimalFloat.text(x))))
            case nil: break
            }
            if let minimum = p.minimum { members.append(("min", .string(HexadecimalFloat.text(minimum)))) }
            if let maximum = p.maximum { members.append(("max", .string(HexadecimalFloat.text(maximum)))) }
            if let dim = p.dim { members.append(("dim", .integer(dim))) }
            if let dims = p.dims { members.append(("dims", .array(dims.map { .integer($0) }))) }
            if let to = p.to { members.append(("to", .array(to.map { .integer($0) }))) }
            if let start = p.start { members.append(("start", .integer(start))) }
            if let length = p.length { members.append(("length", .integer(length))) }
            if let gradient = node.gradient { members.append(("gradient", hex(gradient))) }
            return JSONValue.object(members)
        }
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(Self.formatName)), ("version", .integer(Self.currentVersion)), ("dtype", .string(scalarType.rawValue)),
        ]
        if let producer { members.append(("producer", .string(producer))) }
        members += [("inputs", .array(inputs)), ("nodes", .array(nodes)), ("output", .string(output))]
        return JSONValue.object(members).text() + "\n"
    }
}

/// Names a graph's leaves and nodes and writes each node's op.
private struct DocumentWriter {
    var inputs: [GraphDocument.Input] = []
    var nodes: [GraphDocument.Node] = []
    /// Names by the identity of a leaf tensor or a graph node.
    var names: [ObjectIdentifier: String] = [:]
    var used: Set<String> = []

    /// The name of a tensor: its node's when an op made it, else the leaf's.
    func name(of tensor: Tensor) -> String? {
        if let node = tensor.gradFn, let name = names[ObjectIdentifier(node)] { return name }
        return names[ObjectIdentifier(tensor)]
    }

    /// `base` if unused, else `base_1`, `base_2`...
    mutating func unique(_ base: String) -> String {
        var name = base, suffix = 0
        while used.contains(name) { suffix += 1; name = "\(base)_\(suffix)" }
        used.insert(name)
        return name
    }

    mutating func addInput(_ tensor: Tensor, name: String?) throws(GraphDocumentError) {
        guard names[ObjectIdentifier(tensor)] == nil else { return }
        guard tensor.gradFn == nil else {
            throw GraphDocumentError(path: "$.inputs[\(inputs.count)]", expected: "a leaf (a tensor no recorded op made)", found: "a tensor made by \(tensor.gradFn!.name)")
        }
        if let name, name.isEmpty || used.contains(name) {
            throw GraphDocumentError(path: "$.inputs[\(inputs.count)].name", expected: "a name not used before", found: "\"\(name)\"")
        }
        let written = name.map { used.insert($0); return $0 } ?? unique("input\(inputs.count)")
        names[ObjectIdentifier(tensor)] = written
        inputs.append(GraphDocument.Input(
            name: written, shape: tensor.shape, requiresGrad: tensor.requiresGrad, values: tensor.scalars
        ))
    }

    /// The name of a comparison's operand: the graph's tensor, or a constant
    /// input holding the values compared.
    mutating func operand(_ tensor: Tensor, values: TensorValue<Double>) -> String {
        if let name = name(of: tensor) { return name }
        let name = unique("constant\(inputs.count)")
        inputs.append(GraphDocument.Input(name: name, shape: values.shape, requiresGrad: false, values: values.scalars))
        return name
    }

    mutating func add(_ node: GraphNode, at path: String) throws(GraphDocumentError) {
        let arguments = node.inputs.map { input -> String in
            switch input {
            case .node(let other): names[ObjectIdentifier(other)]!
            case .leaf(let leaf): names[ObjectIdentifier(leaf)]!
            }
        }
        var parameters = GraphDocument.Parameters()
        var extra: [String] = []
        let operation: InterchangeOperation
        switch node.operation {
        case is Add: operation = .add
        case is Subtract: operation = .sub
        case is Multiply: operation = .mul
        case is Divide: operation = .div
        case let op as AddScalar: (operation, parameters.scalar) = (.add, op.constant)
        case let op as SubtractScalar: (operation, parameters.scalar) = (.sub, op.constant)
        case let op as SubtractFromScalar: (operation, parameters.scalar) = (.rsub, op.constant)
        case let op as MultiplyScalar: (operation, parameters.scalar) = (.mul, op.constant)
        case let op as DivideByScalar: (operation, parameters.scalar) = (.div, op.constant)
        case let op as DivideScalarBy: (operation, parameters.scalar) = (.rdiv, op.constant)
        case is Negate: operation = .neg
        case is Absolute: operation = .abs
        case is Relu: operation = .relu
        case is Exp: operation = .exp
        case is Log: operation = .log
        case is SquareRoot: operation = .sqrt
        case is Sine: operation = .sin
        case is Cosine: operation = .cos
        case is HyperbolicTangent: operation = .tanh
        case is Sigmoid: operation = .sigmoid
        case is Log1p: operation = .log1p
        case is Expm1: operation = .expm1
        case is Softplus: operation = .softplus
        case let op as IntegerPower: (operation, parameters.exponent) = (.pow, .integer(op.exponent))
        case let op as RealPower: (operation, parameters.exponent) = (.pow, .real(op.exponent))
        case let op as Clamp: (operation, parameters.minimum, parameters.maximum) = (.clamp, op.lower, op.upper)
        case is Sum: operation = .sum
        case let op as SumAlongAxis: (operation, parameters.dim) = (.sum, op.axis)
        case is Mean: operation = .mean
        case let op as MeanAlongAxis: (operation, parameters.dim) = (.mean, op.axis)
        case is Maximum: operation = .max
        case let op as MaximumAlongAxis: (operation, parameters.dim) = (.max, op.axis)
        case is MatrixMultiply: operation = .matmul
        case let op as Transpose: (operation, parameters.dims) = (.transpose, [op.axes.0, op.axes.1])
        case let op as Reshape: (operation, parameters.to) = (.reshape, op.dimensions)
        case let op as Narrow: (operation, parameters.dim, parameters.start, parameters.length) = (.narrow, op.axis, op.start, op.length)
        case let op as Concatenate: (operation, parameters.dim) = (.cat, op.axis)
        case let op as Where:
            guard let comparison = op.comparison else {
                throw GraphDocumentError(path: path, expected: "a where whose condition a comparison (gt, lt, ge, le, ne) computed", found: "a condition given as values")
            }
            operation = .where
            extra = [try addComparison(comparison)]
        default:
            throw GraphDocumentError(path: path, expected: "one of the format's built-in ops", found: "the op \(node.operation.name) (\(node.name)), which it does not have")
        }
        let name = unique("\(operation.rawValue)\(nodes.count)")
        names[ObjectIdentifier(node)] = name
        nodes.append(GraphDocument.Node(name: name, operation: operation.rawValue, arguments: extra + arguments, shape: node.shape, parameters: parameters))
    }

    /// Writes the comparison a `where` chose by as a node, returning its name.
    mutating func addComparison(_ comparison: TensorComparison) throws(GraphDocumentError) -> String {
        let left = operand(comparison.left, values: comparison.leftValue)
        var parameters = GraphDocument.Parameters()
        var arguments = [left]
        if name(of: comparison.right) == nil, comparison.rightValue.shape == Shape([]) {
            parameters.scalar = comparison.rightValue.scalars[0]
        } else {
            arguments.append(operand(comparison.right, values: comparison.rightValue))
        }
        let name = unique("\(comparison.relation.rawValue)\(nodes.count)")
        let shape = Shape.broadcast(comparison.leftValue.shape, comparison.rightValue.shape)
        nodes.append(GraphDocument.Node(name: name, operation: comparison.relation.rawValue, arguments: arguments, shape: shape, parameters: parameters))
        return name
    }
}
