import AutogradCore
import Foundation

extension GraphDocument {
    /// Reads a document of the interchange format, checking every key's type
    /// and the format's rules that need no op: names unique, every argument
    /// an earlier name, value counts matching shapes, exact hexadecimal
    /// numbers. ``record()`` checks the rest (each op's arguments, parameters
    /// and shapes). Throws ``GraphDocumentError`` naming the place.
    ///
    /// ```swift
    /// let document = try GraphDocument(json: try String(contentsOfFile: "tanh.json", encoding: .utf8))
    /// ```
    public init(json text: String) throws(GraphDocumentError) {
        try self.init(json: Data(text.utf8))
    }

    /// Reads a document from its UTF-8 bytes (see ``init(json:)-(String)``).
    public init(json data: Data) throws(GraphDocumentError) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw GraphDocumentError(path: "$", expected: "a JSON document", found: "text that is not JSON (\(Self.describe(error)))")
        }
        var reader = DocumentReader()
        self = try reader.document(root)
    }

    /// A decoding error in a sentence.
    private static func describe(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "\(error)" }
        let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return underlying ?? context.debugDescription
    }
}

/// Walks a document's JSON, checking each value's type and the names.
private struct DocumentReader {
    /// The names defined so far, and whether each is a node.
    var defined: [String: Bool] = [:]

    mutating func document(_ root: JSONValue) throws(GraphDocumentError) -> GraphDocument {
        let members = try object(root, at: "$", keys: ["format", "version", "dtype", "producer", "inputs", "nodes", "output"])
        let format = try string(required(members, "format", at: "$"), at: "$.format")
        guard format == GraphDocument.formatName else {
            throw GraphDocumentError(path: "$.format", expected: "\"\(GraphDocument.formatName)\"", found: JSONValue.string(format).kind)
        }
        let version = try integer(required(members, "version", at: "$"), at: "$.version")
        guard version == GraphDocument.currentVersion else {
            throw GraphDocumentError(
                path: "$.version", expected: "version \(GraphDocument.currentVersion), the one this library reads",
                found: "\(version)" + (version > GraphDocument.currentVersion ? " (a newer format: update the library)" : "")
            )
        }
        var scalarType = GraphDocument.ScalarType.float64
        if let dtype = members["dtype"] {
            let name = try string(dtype, at: "$.dtype")
            guard let type = GraphDocument.ScalarType(rawValue: name) else {
                throw GraphDocumentError(path: "$.dtype", expected: "\"float64\" or \"float32\"", found: dtype.kind)
            }
            scalarType = type
        }
        let producer = try members["producer"].map { value throws(GraphDocumentError) in try string(value, at: "$.producer") }
        let inputValues = try array(required(members, "inputs", at: "$"), at: "$.inputs")
        guard !inputValues.isEmpty else { throw GraphDocumentError(path: "$.inputs", expected: "at least one input", found: "an empty array") }
        var inputs: [GraphDocument.Input] = []
        for (index, value) in inputValues.enumerated() {
            inputs.append(try input(value, at: "$.inputs[\(index)]", scalarType: scalarType))
        }
        var nodes: [GraphDocument.Node] = []
        for (index, value) in try array(required(members, "nodes", at: "$"), at: "$.nodes").enumerated() {
            nodes.append(try node(value, at: "$.nodes[\(index)]", scalarType: scalarType))
        }
        let output = try string(required(members, "output", at: "$"), at: "$.output")
        guard defined[output] != nil else {
            throw GraphDocumentError(path: "$.output", expected: "the name of an input or node", found: JSONValue.string(output).kind)
        }
        return GraphDocument(scalarType: scalarType, producer: producer, inputs: inputs, nodes: nodes, output: output)
    }

    mutating func input(_ value: JSONValue, at path: String, scalarType: GraphDocument.ScalarType) throws(GraphDocumentError) -> GraphDocument.Input {
        let members = try object(value, at: path, keys: ["name", "shape", "requires_grad", "values", "gradient"])
        let name = try define(required(members, "name", at: path), at: path + ".name", isNode: false)
        let shape = try shape(required(members, "shape", at: path), at: path + ".shape")
        let requiresGrad = try members["requires_grad"].map { value throws(GraphDocumentError) in try bool(value, at: path + ".requires_grad") } ?? true
        let values = try numbers(required(members, "values", at: path), at: path + ".values", count: shape.elementCount, scalarType: scalarType)
        var gradient: [Double]?
        if let given = members["gradient"] {
            guard requiresGrad else {
                throw GraphDocumentError(path: path + ".gradient", expected: "no gradient for an input with \"requires_grad\": false", found: "one")
            }
            gradient = try numbers(given, at: path + ".gradient", count: shape.elementCount, scalarType: scalarType)
        }
        return GraphDocument.Input(name: name, shape: shape, requiresGrad: requiresGrad, values: values, gradient: gradient)
    }

    mutating func node(_ value: JSONValue, at path: String, scalarType: GraphDocument.ScalarType) throws(GraphDocumentError) -> GraphDocument.Node {
        let keys = InterchangeOperation.parameterKeys.union(["name", "op", "args", "shape", "gradient"])
        let members = try object(value, at: path, keys: keys)
        let operation = try string(required(members, "op", at: path), at: path + ".op")
        let arguments = try array(required(members, "args", at: path), at: path + ".args").enumerated().map { index, argument throws(GraphDocumentError) in
            let name = try string(argument, at: path + ".args[\(index)]")
            guard defined[name] != nil else {
                throw GraphDocumentError(path: path + ".args[\(index)]", expected: "the name of an earlier input or node", found: argument.kind)
            }
            return name
        }
        let shape = try members["shape"].map { value throws(GraphDocumentError) in try self.shape(value, at: path + ".shape") }
        var parameters = GraphDocument.Parameters()
        if let value = members["scalar"] { parameters.scalar = try number(value, at: path + ".scalar") }
        if let value = members["min"] { parameters.minimum = try number(value, at: path + ".min") }
        if let value = members["max"] { parameters.maximum = try number(value, at: path + ".max") }
        if let value = members["dim"] { parameters.dim = try integer(value, at: path + ".dim") }
        if let value = members["start"] { parameters.start = try integer(value, at: path + ".start") }
        if let value = members["length"] { parameters.length = try integer(value, at: path + ".length") }
        if let value = members["dims"] { parameters.dims = try integers(value, at: path + ".dims") }
        if let value = members["to"] { parameters.to = try integers(value, at: path + ".to") }
        if let value = members["exponent"] {
            if case .integer(let exponent) = value { parameters.exponent = .integer(exponent) }
            else { parameters.exponent = .real(try number(value, at: path + ".exponent", expected: "an integer or a hexadecimal floating-point string")) }
        }
        // Its length is checked against the op's output when recorded, if the node gives no shape.
        let gradient = try members["gradient"].map { value throws(GraphDocumentError) in
            try numbers(value, at: path + ".gradient", count: shape?.elementCount, scalarType: scalarType)
        }
        // Defined last: a node cannot read itself.
        let name = try define(required(members, "name", at: path), at: path + ".name", isNode: true)
        return GraphDocument.Node(name: name, operation: operation, arguments: arguments, shape: shape, parameters: parameters, gradient: gradient)
    }

    /// Records a new name, refusing an empty or repeated one.
    mutating func define(_ value: JSONValue, at path: String, isNode: Bool) throws(GraphDocumentError) -> String {
        let name = try string(value, at: path)
        guard !name.isEmpty, defined[name] == nil else {
            throw GraphDocumentError(path: path, expected: "a name not used before", found: value.kind)
        }
        defined[name] = isNode
        return name
    }

    // MARK: Values of each type

    func required(_ members: [String: JSONValue], _ key: String, at path: String) throws(GraphDocumentError) -> JSONValue {
        guard let value = members[key] else { throw GraphDocumentError(path: path + "." + key, expected: "a value (the key is required)") }
        return value
    }

    func object(_ value: JSONValue, at path: String, keys: Set<String>) throws(GraphDocumentError) -> [String: JSONValue] {
        guard case .object(let members) = value else { throw GraphDocumentError(path: path, expected: "an object", found: value.kind) }
        if let unknown = members.first(where: { !keys.contains($0.key) }) {
            throw GraphDocumentError(
                path: path + "." + unknown.key, expected: "only the keys " + keys.sorted().joined(separator: ", "),
                found: "the unknown key \"\(unknown.key)\""
            )
        }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    func array(_ value: JSONValue, at path: String) throws(GraphDocumentError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw GraphDocumentError(path: path, expected: "an array", found: value.kind) }
        return elements
    }

    func string(_ value: JSONValue, at path: String) throws(GraphDocumentError) -> String {
        guard case .string(let text) = value else { throw GraphDocumentError(path: path, expected: "a string", found: value.kind) }
        return text
    }

    func bool(_ value: JSONValue, at path: String) throws(GraphDocumentError) -> Bool {
        guard case .bool(let flag) = value else { throw GraphDocumentError(path: path, expected: "true or false", found: value.kind) }
        return flag
    }

    func integer(_ value: JSONValue, at path: String) throws(GraphDocumentError) -> Int {
        guard case .integer(let number) = value else { throw GraphDocumentError(path: path, expected: "an integer", found: value.kind) }
        return number
    }

    func integers(_ value: JSONValue, at path: String) throws(GraphDocumentError) -> [Int] {
        try array(value, at: path).enumerated().map { index, element throws(GraphDocumentError) in try integer(element, at: "\(path)[\(index)]") }
    }

    func shape(_ value: JSONValue, at path: String) throws(GraphDocumentError) -> Shape {
        let dimensions = try integers(value, at: path)
        var count = 1
        for (index, size) in dimensions.enumerated() {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow, product <= 1 << 40 else {
                throw GraphDocumentError(
                    path: "\(path)[\(index)]", expected: "a non-negative dimension, the product at most 2^40",
                    found: "\(size)" + (size >= 0 ? " (the product is too large)" : "")
                )
            }
            count = product
        }
        return Shape(dimensions)
    }

    /// A number written exactly: a hexadecimal floating-point string, or `inf`, `-inf`, `nan`.
    func number(_ value: JSONValue, at path: String, expected: String = "a hexadecimal floating-point string such as \"0x1.8p+1\"") throws(GraphDocumentError) -> Double {
        guard case .string(let text) = value, let number = HexadecimalFloat.parse(text) else {
            let hint = if case .number = value { " (decimal numbers are rounded when read: write them exactly, as float.hex() does)" } else { "" }
            throw GraphDocumentError(path: path, expected: expected, found: value.kind + hint)
        }
        return number
    }

    /// Exact numbers, `count` of them when it is given.
    func numbers(_ value: JSONValue, at path: String, count: Int?, scalarType: GraphDocument.ScalarType) throws(GraphDocumentError) -> [Double] {
        let elements = try array(value, at: path)
        if let count, elements.count != count {
            throw GraphDocumentError(path: path, expected: "\(count) elements, as the shape holds", found: "\(elements.count)")
        }
        return try elements.enumerated().map { index, element throws(GraphDocumentError) in
            let number = try self.number(element, at: "\(path)[\(index)]")
            guard scalarType == .float64 || number.isNaN || Double(Float(number)) == number else {
                throw GraphDocumentError(path: "\(path)[\(index)]", expected: "a float32 value, as the dtype says", found: element.kind)
            }
            return number
        }
    }
}
