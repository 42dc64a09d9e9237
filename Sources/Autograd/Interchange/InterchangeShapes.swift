import AutogradCore

/// The shape rule of each op of the interchange format, checked without
/// trapping: the Swift API traps on a shape mismatch (a programming error),
/// but a document is data, so its mistakes are thrown, naming the node.
struct InterchangeShapes {
    let operation: InterchangeOperation
    let parameters: GraphDocument.Parameters
    /// The node's place in the document.
    let path: String

    /// The output's shape for arguments of `shapes` (and a condition's, for `where`).
    func outputShape(_ shapes: [Shape], condition: Shape?) throws(GraphDocumentError) -> Shape {
        let name = operation.rawValue
        switch operation {
        case .add, .sub, .mul, .div, .gt, .lt, .ge, .le, .ne:
            return shapes.count == 1 ? shapes[0] : try broadcast(shapes[0], shapes[1], at: ".args")
        case .rsub, .rdiv, .pow:
            return shapes[0]
        case .clamp:
            let (lower, upper) = (parameters.minimum, parameters.maximum)
            guard lower != nil || upper != nil else { throw refusal(".min", "a min, a max or both for clamp") }
            if let lower { try checkFinite(lower, key: "min") }
            if let upper { try checkFinite(upper, key: "max") }
            if let lower, let upper, lower > upper { throw refusal(".min", "min at most max", found: "min \(lower) above max \(upper)") }
            return shapes[0]
        case .sum, .mean, .max:
            guard let dim = parameters.dim else {
                if operation == .max && shapes[0].elementCount == 0 { throw refusal(".args[0]", "a tensor with elements for max", found: "shape \(shapes[0])") }
                return Shape([])
            }
            var dimensions = shapes[0].dimensions
            let axis = try self.axis(dim, rank: dimensions.count, key: "dim")
            if operation == .max && dimensions[axis] == 0 { throw refusal(".dim", "an axis with positions for max", found: "\(dim) of shape \(shapes[0])") }
            dimensions.remove(at: axis)
            return Shape(dimensions)
        case .matmul:
            let (x, y) = (shapes[0].dimensions, shapes[1].dimensions)
            guard x.count >= 2, y.count >= 2, x[x.count - 1] == y[y.count - 2],
                  let stacks = Shape.broadcast(Shape(Array(x.dropLast(2))), Shape(Array(y.dropLast(2)))) else {
                throw refusal(".args", "matrices [..., m, k] and [..., k, n] whose stacks broadcast for matmul", found: "shapes \(shapes[0]) and \(shapes[1])")
            }
            return Shape(stacks.dimensions + [x[x.count - 2], y[y.count - 1]])
        case .transpose:
            let dims = parameters.dims!
            guard dims.count == 2 else { throw refusal(".dims", "two axes", found: "\(dims.count)") }
            var dimensions = shapes[0].dimensions
            let (a, b) = (try axis(dims[0], rank: dimensions.count, key: "dims"), try axis(dims[1], rank: dimensions.count, key: "dims"))
            dimensions.swapAt(a, b)
            return Shape(dimensions)
        case .reshape:
            let to = parameters.to!, count = shapes[0].elementCount
            let inferred = to.filter { $0 == -1 }.count
            let known = to.filter { $0 != -1 }
            var product = 1
            for size in known {
                let (next, overflow) = product.multipliedReportingOverflow(by: size)
                guard size >= 0, !overflow else { throw refusal(".to", "non-negative dimensions (one may be -1)", found: "\(to)") }
                product = next
            }
            let fits = inferred == 0 ? product == count : (inferred == 1 && product > 0 && count % product == 0)
            guard fits else { throw refusal(".to", "dimensions holding the \(count) elements of shape \(shapes[0])", found: "\(to)") }
            return Shape(to.map { $0 == -1 ? count / product : $0 })
        case .narrow:
            var dimensions = shapes[0].dimensions
            let axis = try self.axis(parameters.dim!, rank: dimensions.count, key: "dim")
            let (start, length) = (parameters.start!, parameters.length!)
            guard start >= 0, length >= 0, start <= dimensions[axis] - length else {
                throw refusal(".start", "positions within the \(dimensions[axis]) of axis \(axis)", found: "start \(start), length \(length)")
            }
            dimensions[axis] = length
            return Shape(dimensions)
        case .cat:
            var dimensions = shapes[0].dimensions
            let axis = try self.axis(parameters.dim!, rank: dimensions.count, key: "dim")
            for (index, shape) in shapes.enumerated().dropFirst() {
                var other = shape.dimensions
                guard other.count == dimensions.count else { throw refusal(".args[\(index)]", "a tensor of rank \(dimensions.count), as the first", found: "shape \(shape)") }
                let size = other[axis]
                other[axis] = dimensions[axis]
                guard other == dimensions else { throw refusal(".args[\(index)]", "a shape agreeing with \(shapes[0]) outside axis \(axis)", found: "\(shape)") }
                dimensions[axis] += size
            }
            return Shape(dimensions)
        case .where:
            let operands = try broadcast(shapes[0], shapes[1], at: ".args")
            return try broadcast(condition!, operands, at: ".args[0]")
        default:
            precondition(operation.unaryFunction != nil, "InterchangeShapes: \(name) has no shape rule")
            return shapes[0]
        }
    }

    func broadcast(_ a: Shape, _ b: Shape, at key: String) throws(GraphDocumentError) -> Shape {
        guard let shape = Shape.broadcast(a, b) else {
            throw refusal(key, "shapes that broadcast together for \(operation.rawValue)", found: "\(a) and \(b)")
        }
        return shape
    }

    /// `axis` normalised for a tensor of `rank` dimensions.
    func axis(_ axis: Int, rank: Int, key: String) throws(GraphDocumentError) -> Int {
        guard (-rank..<rank).contains(axis) else {
            throw refusal("." + key, rank == 0 ? "a tensor with dimensions" : "an axis from \(-rank) to \(rank - 1)", found: "\(axis)")
        }
        return axis < 0 ? axis + rank : axis
    }

    func checkFinite(_ value: Double, key: String) throws(GraphDocumentError) {
        guard value.isFinite else { throw refusal("." + key, "a finite number", found: HexadecimalFloat.text(value)) }
    }

    func refusal(_ key: String, _ expected: String, found: String? = nil) -> GraphDocumentError {
        GraphDocumentError(path: path + key, expected: expected, found: found)
    }
}
