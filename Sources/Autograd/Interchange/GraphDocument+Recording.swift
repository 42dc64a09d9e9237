import AutogradCore

extension GraphDocument {
    /// Records the document's ops again, as the Swift API does, on leaves
    /// holding the inputs' values: the graph any strategy, the exact one
    /// included, can then differentiate. Every op's arguments, parameters and
    /// shapes are checked first, so a malformed document throws
    /// ``GraphDocumentError`` naming the node instead of trapping.
    ///
    /// ```swift
    /// let (inputs, loss) = try document.record()
    /// let exact = try ExactMode().gradient(of: loss, withRespectTo: inputs.filter(\.requiresGrad))
    /// ```
    public func record() throws(GraphDocumentError) -> (inputs: [Tensor], output: Tensor) {
        let recorded = try recordNamed()
        return (recorded.inputs, recorded.output)
    }

    /// ``record()``, with the tensor each input and node name stands for
    /// (comparisons, which make no tensor, have none).
    func recordNamed() throws(GraphDocumentError) -> (inputs: [Tensor], output: Tensor, tensors: [String: Tensor]) {
        var recorder = GraphRecorder()
        let inputs = try self.inputs.enumerated().map { index, input throws(GraphDocumentError) in
            try recorder.leaf(input, at: "$.inputs[\(index)]")
        }
        for (index, node) in nodes.enumerated() { try recorder.apply(node, at: "$.nodes[\(index)]") }
        guard case .tensor(let output) = recorder.values[output] else {
            throw GraphDocumentError(
                path: "$.output", expected: "the name of an input or of a node computing a tensor",
                found: recorder.values[output] == nil ? "the unknown name \"\(output)\"" : "the condition \"\(output)\""
            )
        }
        let tensors = recorder.values.compactMapValues { value -> Tensor? in
            if case .tensor(let tensor) = value { tensor } else { nil }
        }
        return (inputs, output, tensors)
    }
}

/// What a name of a document stands for while it is recorded.
private enum RecordedValue {
    case tensor(Tensor)
    /// A comparison's result, which only `where` reads.
    case condition(BoolTensor)
}

/// Records a document's ops one by one, checking each before applying it.
private struct GraphRecorder {
    var values: [String: RecordedValue] = [:]

    mutating func leaf(_ input: GraphDocument.Input, at path: String) throws(GraphDocumentError) -> Tensor {
        try checkNew(input.name, at: path + ".name")
        guard input.values.count == input.shape.elementCount else {
            throw GraphDocumentError(path: path + ".values", expected: "\(input.shape.elementCount) elements, as the shape holds", found: "\(input.values.count)")
        }
        if let gradient = input.gradient, gradient.count != input.shape.elementCount || !input.requiresGrad {
            throw GraphDocumentError(
                path: path + ".gradient", expected: input.requiresGrad ? "\(input.shape.elementCount) elements, as the shape holds" : "no gradient for an input that does not require one",
                found: "\(gradient.count) elements"
            )
        }
        let tensor = Tensor(input.values, shape: input.shape, requiresGrad: input.requiresGrad)
        values[input.name] = .tensor(tensor)
        return tensor
    }

    mutating func apply(_ node: GraphDocument.Node, at path: String) throws(GraphDocumentError) {
        guard let operation = InterchangeOperation(rawValue: node.operation) else {
            throw GraphDocumentError(
                path: path + ".op", expected: "one of the format's ops (" + InterchangeOperation.allCases.map(\.rawValue).joined(separator: ", ") + ")",
                found: "\"\(node.operation)\""
            )
        }
        if let expected = operation.refusedArgumentCount(node.arguments.count) {
            throw GraphDocumentError(path: path + ".args", expected: "\(expected) for \(operation.rawValue)", found: "\(node.arguments.count)")
        }
        let (allowed, required) = operation.parameters(arguments: node.arguments.count)
        let given = node.parameters.givenKeys
        if let extra = given.subtracting(allowed).sorted().first {
            throw GraphDocumentError(
                path: path + "." + extra, expected: allowed.isEmpty ? "no parameters for \(operation.rawValue)" : "only \(allowed.sorted().joined(separator: ", ")) for \(operation.rawValue) with \(node.arguments.count) argument(s)",
                found: "\"\(extra)\""
            )
        }
        if let missing = required.subtracting(given).sorted().first {
            throw GraphDocumentError(path: path + "." + missing, expected: "a value (\(operation.rawValue) needs it)")
        }
        let firstIsCondition = operation == .where
        var tensors: [Tensor] = []
        var condition: BoolTensor?
        for (index, name) in node.arguments.enumerated() {
            switch values[name] {
            case nil:
                throw GraphDocumentError(path: "\(path).args[\(index)]", expected: "the name of an earlier input or node", found: "\"\(name)\"")
            case .condition(let value)?:
                guard firstIsCondition && index == 0 else {
                    throw GraphDocumentError(path: "\(path).args[\(index)]", expected: "a tensor", found: "the condition \"\(name)\", which only where reads")
                }
                condition = value
            case .tensor(let tensor)?:
                guard !(firstIsCondition && index == 0) else {
                    throw GraphDocumentError(path: "\(path).args[0]", expected: "a condition (a gt, lt, ge, le or ne node)", found: "the tensor \"\(name)\"")
                }
                tensors.append(tensor)
            }
        }
        try checkNew(node.name, at: path + ".name")
        let shapes = tensors.map(\.shape)
        let shape = try InterchangeShapes(operation: operation, parameters: node.parameters, path: path)
            .outputShape(shapes, condition: condition?.shape)
        if let declared = node.shape, declared != shape {
            throw GraphDocumentError(path: path + ".shape", expected: "\(shape), the shape \(operation.rawValue) gives", found: "\(declared)")
        }
        if let gradient = node.gradient {
            guard operation.relation == nil else {
                throw GraphDocumentError(path: path + ".gradient", expected: "no gradient for a comparison", found: "\(gradient.count) elements")
            }
            guard gradient.count == shape.elementCount else {
                throw GraphDocumentError(path: path + ".gradient", expected: "\(shape.elementCount) elements, as the output's shape \(shape) holds", found: "\(gradient.count)")
            }
        }
        values[node.name] = Self.applying(operation, node.parameters, tensors, condition: condition)
    }

    /// The op applied through the Swift API, once checked.
    static func applying(_ operation: InterchangeOperation, _ parameters: GraphDocument.Parameters, _ x: [Tensor], condition: BoolTensor?) -> RecordedValue {
        if let function = operation.unaryFunction { return .tensor(function(x[0])) }
        let c = parameters.scalar ?? 0
        if let relation = operation.relation {
            let right = x.count == 2 ? x[1] : Tensor(c)
            let condition = switch relation {
            case .greater: x[0].gt(right)
            case .less: x[0].lt(right)
            case .greaterOrEqual: x[0].ge(right)
            case .lessOrEqual: x[0].le(right)
            case .notEqual: x[0].ne(right)
            }
            return .condition(condition)
        }
        let tensor: Tensor = switch operation {
        case .add: x.count == 2 ? x[0] + x[1] : x[0] + c
        case .sub: x.count == 2 ? x[0] - x[1] : x[0] - c
        case .mul: x.count == 2 ? x[0] * x[1] : x[0] * c
        case .div: x.count == 2 ? x[0] / x[1] : x[0] / c
        case .rsub: c - x[0]
        case .rdiv: c / x[0]
        case .pow:
            switch parameters.exponent! {
            case .integer(let n): x[0].pow(n)
            case .real(let p): x[0].applying(RealPower(p))
            }
        case .clamp: x[0].clamp(min: parameters.minimum, max: parameters.maximum)
        case .sum: parameters.dim.map { x[0].sum(dim: $0) } ?? x[0].sum()
        case .mean: parameters.dim.map { x[0].mean(dim: $0) } ?? x[0].mean()
        case .max: parameters.dim.map { x[0].max(dim: $0) } ?? x[0].max()
        case .matmul: Tensor.applying(MatrixMultiply(), x[0], x[1])
        case .transpose: x[0].transpose(parameters.dims![0], parameters.dims![1])
        case .reshape: x[0].applying(Reshape(parameters.to!))
        case .narrow: x[0].narrow(dim: parameters.dim!, start: parameters.start!, length: parameters.length!)
        case .cat: Tensor.cat(x, dim: parameters.dim!)
        case .where: Tensor.where(condition!, x[0], x[1])
        default: preconditionFailure("GraphRecorder: \(operation) is applied above")
        }
        return .tensor(tensor)
    }

    func checkNew(_ name: String, at path: String) throws(GraphDocumentError) {
        guard !name.isEmpty, values[name] == nil else {
            throw GraphDocumentError(path: path, expected: "a name not used before", found: "\"\(name)\"")
        }
    }
}

extension GraphDocument.Parameters {
    /// The keys of the parameters given, as the format names them.
    var givenKeys: Set<String> {
        var keys: Set<String> = []
        if scalar != nil { keys.insert("scalar") }
        if exponent != nil { keys.insert("exponent") }
        if minimum != nil { keys.insert("min") }
        if maximum != nil { keys.insert("max") }
        if dim != nil { keys.insert("dim") }
        if dims != nil { keys.insert("dims") }
        if to != nil { keys.insert("to") }
        if start != nil { keys.insert("start") }
        if length != nil { keys.insert("length") }
        return keys
    }
}
