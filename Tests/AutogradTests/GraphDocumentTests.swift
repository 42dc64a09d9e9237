import Autograd
import Foundation
import Testing

/// The interchange format: every op written and read back to the same graph,
/// bit for bit, and malformed documents refused with the place and what was
/// expected, never a trap.
@Suite struct GraphDocumentTests {
    /// A graph for every op of the format: a name and a loss of seeded inputs.
    static let graphs: [(name: String, loss: @Sendable ([Tensor]) -> Tensor)] = [
        ("add sub mul div", { x in ((x[0] + x[1]) * (x[0] - x[1]) / (x[1] * x[1] + 1)).sum() }),
        ("broadcasting", { x in (x[0].reshape(4, 3) * x[1].narrow(dim: 0, start: 0, length: 3)).sum() }),
        ("scalars", { x in ((x[0] + 2) * 3 - 1.5 + (4 - x[0]) / 0.75 + 1 / (x[0] * x[0] + 1)).sum() }),
        ("neg abs relu", { x in (-(x[0].abs()) + x[0].relu()).sum() }),
        ("elementary", { x in
            let y = x[0] * 0.5
            return (y.exp() + (y * y + 1).log() + (y * y + 0.1).sqrt() + y.sin() + y.cos() + y.tanh() + y.sigmoid()
                + (y * y).log1p() + y.expm1() + y.softplus()).sum()
        }),
        ("pow", { x in (x[0].pow(3) + (x[0] * x[0] + 1).pow(2.5) + x[0].pow(-2)).sum() }),
        ("clamp", { x in (x[0].clamp(min: -0.5, max: 0.75) + x[0].clamp(min: 0.1) + x[0].clamp(max: 0.2)).sum() }),
        ("reductions", { x in
            let m = x[0].reshape(3, 4)
            return m.sum(dim: 1).sum() + m.mean(dim: -2).mean() + m.max(dim: 0).sum() + m.max() + m.sum(dim: 1, keepDim: true).mean()
        }),
        ("matmul transpose", { x in x[0].reshape(3, 4).matmul(x[1].reshape(4, 3).transpose(0, 1).transpose()).sum() }),
        ("stacked matmul", { x in Tensor.applying(MatrixMultiply(), x[0].reshape(3, 2, 2), x[1].reshape(2, 2, 3).narrow(dim: 0, start: 0, length: 1)).sum() }),
        ("reshape narrow cat", { x in
            let m = x[0].reshape(2, -1)
            return (Tensor.cat([m.narrow(dim: 1, start: 4, length: 2), m.narrow(dim: 1, start: 0, length: 4), m], dim: -1) * 2).sum()
        }),
        ("select stack unsqueeze", { x in (Tensor.stack([x[0].select(dim: 0, index: 3), x[1][2]], dim: 0).unsqueeze(0) * x[0][1]).sum() }),
        ("where and comparisons", { x in
            let a = Tensor.where(x[0].gt(0), x[0] * x[0], x[0])
            let b = Tensor.where(x[0].lt(x[1]), x[1], 0.5 * x[0])
            let c = Tensor.where(x[0].ge(0.25), a, b) + Tensor.where(x[0].le(x[1] * 2), b, a)
            let d = Tensor.where(x[0].ne(Tensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])), c, a)
            return d.sum()
        }),
    ]

    /// Seeded inputs: two of 12 elements in (-1, 1), the second constant in half the cases.
    static func inputs(seed: UInt64, constantSecond: Bool) -> [Tensor] {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<24).map { _ in 2 * generator.nextUnit() - 1 }
        return [Tensor(Array(values[..<12]), shape: [12], requiresGrad: true),
                Tensor(Array(values[12...]), shape: [12], requiresGrad: !constantSecond)]
    }

    @Test(arguments: graphs.indices)
    func everyGraphRoundTripsBitForBit(_ index: Int) throws {
        let (name, loss) = Self.graphs[index]
        let x = Self.inputs(seed: UInt64(index), constantSecond: index % 2 == 1)
        let result = loss(x)
        let document = try GraphDocument(result, inputs: ["x": x[0], "y": x[1]], producer: "test")
        let text = document.json()
        let read = try GraphDocument(json: text)
        #expect(read == document, "\(name)")
        let (inputs, output) = try read.record()
        // The graph recorded again is written to the same text: the same ops, parameters and shapes.
        let names = ["x": inputs[0], "y": inputs[1]] as KeyValuePairs
        #expect(try GraphDocument(output, inputs: names, producer: "test").json() == text, "\(name)")
        #expect(output.item().bitPattern == result.item().bitPattern, "\(name)")
        let leaves = x.filter(\.requiresGrad), readLeaves = inputs.filter(\.requiresGrad)
        let original = try ReverseMode().gradient(of: result, withRespectTo: leaves).tensors
        let again = try ReverseMode().gradient(of: output, withRespectTo: readLeaves).tensors
        #expect(zip(original, again).allSatisfy { $0.scalars.map(\.bitPattern) == $1.scalars.map(\.bitPattern) }, "\(name)")
    }

    @Test func theGraphsCoverEveryOpOfTheFormat() throws {
        var written: Set<String> = []
        for (index, graph) in Self.graphs.enumerated() {
            let x = Self.inputs(seed: UInt64(index), constantSecond: false)
            written.formUnion(try GraphDocument(graph.loss(x)).nodes.map(\.operation))
        }
        let expected: Set<String> = [
            "add", "sub", "mul", "div", "rsub", "rdiv", "neg", "abs", "relu", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
            "log1p", "expm1", "softplus", "pow", "clamp", "sum", "mean", "max", "matmul", "transpose", "reshape", "narrow", "cat",
            "gt", "lt", "ge", "le", "ne", "where",
        ]
        #expect(written == expected)
    }

    @Test func numbersAreWrittenExactlyAndReadBackToTheSameBits() throws {
        let special: [Double] = [0.1, -0.0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, 1 / 3, 0x1.fffffffffffffp-1023]
        let x = Tensor(special, shape: [8], requiresGrad: true)
        var document = try GraphDocument((x * 2).sum(), inputs: ["x": x])
        document.inputs[0].gradient = [.nan, 2, 0x1p-1074, 3, 4, 5, 6, 7]
        let read = try GraphDocument(json: document.json())
        #expect(read.inputs[0].values.map(\.bitPattern) == special.map(\.bitPattern))
        #expect(read.inputs[0].gradient![0].isNaN && read.inputs[0].gradient![2] == 0x1p-1074)
        #expect(document.json().contains("\"0x1.999999999999ap-4\""))
    }

    @Test func nodesGradientsAreWrittenAndCheckedAgainstTheOutputsShape() throws {
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        var document = try GraphDocument((x * x).sum(), inputs: ["x": x])
        document.nodes[0].gradient = [1, 1, 1]
        document.nodes[1].gradient = [1]
        let read = try GraphDocument(json: document.json())
        #expect(read == document && read.nodes.map(\.gradient) == [[1, 1, 1], [1]])
        document.nodes[0].gradient = [1, 1]
        #expect(throws: GraphDocumentError(path: "$.nodes[0].gradient", expected: "3 elements, as the shape holds", found: "2")) {
            try GraphDocument(json: document.json())
        }
        document.nodes[0].shape = nil
        #expect(throws: GraphDocumentError(path: "$.nodes[0].gradient", expected: "3 elements, as the output's shape [3] holds", found: "2")) {
            try GraphDocument(json: document.json()).record()
        }
        let comparison = Self.valid.replacingOccurrences(of: "\"scalar\": \"0x0p+0\",", with: "\"scalar\": \"0x0p+0\", \"gradient\": [\"0x1p+0\", \"0x1p+0\", \"0x1p+0\", \"0x1p+0\", \"0x1p+0\", \"0x1p+0\"],")
        #expect(throws: GraphDocumentError(path: "$.nodes[1].gradient", expected: "no gradient for a comparison", found: "6 elements")) {
            try GraphDocument(json: comparison).record()
        }
    }

    @Test func opsTheFormatDoesNotHaveAreRefusedByName() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        #expect(throws: GraphDocumentError(path: "$.nodes[0]", expected: "one of the format's built-in ops",
                                           found: "the op TriplingReverseRule (TriplingReverseRuleBackward), which it does not have")) {
            try GraphDocument(x.applying(TriplingReverseRule()).sum())
        }
        #expect(throws: GraphDocumentError(path: "$.inputs[0]", expected: "a leaf (a tensor no recorded op made)", found: "a tensor made by MulBackward")) {
            let y = x * 2
            try GraphDocument(y.sum(), inputs: ["y": y])
        }
        let given = BoolTensor(Tensor([1.0, -1]).gt(0).value)
        #expect(throws: GraphDocumentError(path: "$.nodes[1]", expected: "a where whose condition a comparison (gt, lt, ge, le, ne) computed",
                                           found: "a condition given as values")) {
            try GraphDocument(Tensor.where(given, x, x * 2).sum())
        }
    }

    /// A small valid document, as text, for the malformed cases to change.
    static let valid = """
        {"format": "autograd-graph", "version": 1, "dtype": "float64", "producer": "test",
         "inputs": [{"name": "x", "shape": [2, 3], "requires_grad": true,
                     "values": ["0x1p+0", "0x1p+1", "0x1.8p+1", "-0x1p+0", "0x1p-1", "0x0p+0"],
                     "gradient": ["0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0"]},
                    {"name": "w", "shape": [3], "requires_grad": false, "values": ["0x1p+0", "0x1p+1", "0x1p+2"]}],
         "nodes": [{"name": "p", "op": "mul", "args": ["x", "w"], "shape": [2, 3]},
                   {"name": "c", "op": "gt", "args": ["p"], "scalar": "0x0p+0", "shape": [2, 3]},
                   {"name": "s", "op": "where", "args": ["c", "p", "x"], "shape": [2, 3]},
                   {"name": "loss", "op": "sum", "args": ["s"], "shape": []}],
         "output": "loss"}
        """

    @Test func theValidDocumentReadsAndRecords() throws {
        let (inputs, loss) = try GraphDocument(json: Self.valid).record()
        #expect(inputs.map(\.requiresGrad) == [true, false])
        #expect(loss.item() == 17)   // x·w where positive (1 + 4 + 12 + 1), x elsewhere (-1 + 0)
    }

    /// Each case: a replacement in the valid document, and the error's path and expectation.
    static let malformed: [(from: String, to: String, path: String, expected: String)] = [
        ("{\"format\"", "[{\"format\"", "$", "a JSON document"),
        ("\"autograd-graph\"", "\"onnx\"", "$.format", "\"autograd-graph\""),
        ("\"version\": 1", "\"version\": 2", "$.version", "version 1, the one this library reads"),
        ("\"dtype\": \"float64\"", "\"dtype\": \"bfloat16\"", "$.dtype", "\"float64\" or \"float32\""),
        ("\"producer\": \"test\",", "\"producer\": \"test\", \"comment\": 1,", "$.comment",
         "only the keys dtype, format, inputs, nodes, output, producer, version"),
        ("\"0x1.8p+1\"", "3.0", "$.inputs[0].values[2]", "a hexadecimal floating-point string such as \"0x1.8p+1\""),
        ("\"0x1.8p+1\"", "\"3.0\"", "$.inputs[0].values[2]", "a hexadecimal floating-point string such as \"0x1.8p+1\""),
        ("\"shape\": [2, 3], \"requires_grad\": true", "\"shape\": [2, 2], \"requires_grad\": true", "$.inputs[0].values", "4 elements, as the shape holds"),
        ("\"shape\": [2, 3], \"requires_grad\": true", "\"shape\": [2, -3], \"requires_grad\": true", "$.inputs[0].shape[1]",
         "a non-negative dimension, the product at most 2^40"),
        ("\"values\": [\"0x1p+0\", \"0x1p+1\", \"0x1p+2\"]", "\"values\": [\"0x1p+0\", \"0x1p+1\", \"0x1p+2\"], \"gradient\": []",
         "$.inputs[1].gradient", "no gradient for an input with \"requires_grad\": false"),
        ("\"args\": [\"x\", \"w\"]", "\"args\": [\"x\", \"v\"]", "$.nodes[0].args[1]", "the name of an earlier input or node"),
        ("\"args\": [\"x\", \"w\"]", "\"args\": [\"x\", \"s\"]", "$.nodes[0].args[1]", "the name of an earlier input or node"),
        ("{\"name\": \"c\"", "{\"name\": \"p\"", "$.nodes[1].name", "a name not used before"),
        ("\"op\": \"mul\"", "\"op\": \"hypot\"", "$.nodes[0].op", "one of the format's ops"),
        ("\"op\": \"sum\", \"args\": [\"s\"]", "\"op\": \"sum\", \"args\": [\"s\", \"x\"]", "$.nodes[3].args", "1 argument for sum"),
        ("\"op\": \"gt\", \"args\": [\"p\"], \"scalar\": \"0x0p+0\"", "\"op\": \"gt\", \"args\": [\"p\"]", "$.nodes[1].scalar", "a value (gt needs it)"),
        ("\"op\": \"sum\", \"args\": [\"s\"]", "\"op\": \"sum\", \"args\": [\"s\"], \"exponent\": 2", "$.nodes[3].exponent", "only dim for sum with 1 argument(s)"),
        ("\"shape\": [3], \"requires_grad\": false", "\"shape\": [2], \"requires_grad\": false", "$.inputs[1].values", "2 elements, as the shape holds"),
        ("\"name\": \"p\", \"op\": \"mul\", \"args\": [\"x\", \"w\"], \"shape\": [2, 3]", "\"name\": \"p\", \"op\": \"mul\", \"args\": [\"x\", \"w\"], \"shape\": [3, 2]",
         "$.nodes[0].shape", "[2, 3], the shape mul gives"),
        ("\"op\": \"mul\", \"args\": [\"x\", \"w\"], \"shape\": [2, 3]", "\"op\": \"matmul\", \"args\": [\"x\", \"x\"], \"shape\": [2, 3]", "$.nodes[0].args",
         "matrices [..., m, k] and [..., k, n] whose stacks broadcast for matmul"),
        ("\"op\": \"sum\", \"args\": [\"s\"]", "\"op\": \"sum\", \"args\": [\"s\"], \"dim\": 2", "$.nodes[3].dim", "an axis from -2 to 1"),
        ("\"args\": [\"c\", \"p\", \"x\"]", "\"args\": [\"p\", \"c\", \"x\"]", "$.nodes[2].args[0]", "a condition (a gt, lt, ge, le or ne node)"),
        ("\"op\": \"sum\", \"args\": [\"s\"]", "\"op\": \"sum\", \"args\": [\"c\"]", "$.nodes[3].args[0]", "a tensor"),
        ("\"output\": \"loss\"", "\"output\": \"c\"", "$.output", "the name of an input or of a node computing a tensor"),
        ("\"output\": \"loss\"", "\"output\": \"lost\"", "$.output", "the name of an input or node"),
    ]

    @Test(arguments: malformed.indices)
    func aMalformedDocumentIsRefusedWithThePlaceAndWhatWasExpected(_ index: Int) throws {
        let (from, to, path, expected) = Self.malformed[index]
        #expect(Self.valid.contains(from), "the case must change the document")
        let text = Self.valid.replacingOccurrences(of: from, with: to)
        do {
            _ = try GraphDocument(json: text).record()
            Issue.record("case \(index) was accepted")
        } catch {
            #expect(error.path == path, "case \(index): \(error)")
            #expect(error.expected.hasPrefix(expected), "case \(index): \(error)")
        }
    }

    @Test func aFloat32DocumentHoldsFloat32Values() throws {
        let text = Self.valid.replacingOccurrences(of: "\"dtype\": \"float64\"", with: "\"dtype\": \"float32\"")
        #expect(try GraphDocument(json: text).scalarType == .float32)
        let finer = text.replacingOccurrences(of: "\"0x1.8p+1\"", with: "\"0x1.0000000000001p+1\"")
        #expect(throws: GraphDocumentError(path: "$.inputs[0].values[2]", expected: "a float32 value, as the dtype says",
                                           found: "the string \"0x1.0000000000001p+1\"")) { try GraphDocument(json: finer) }
    }

    @Test func shapeErrorsOfEveryKindAreThrownNotTrapped() throws {
        let cases: [(node: String, path: String)] = [
            (#"{"name": "n", "op": "reshape", "args": ["x"], "to": [4, -1]}"#, "$.nodes[0].to"),
            (#"{"name": "n", "op": "reshape", "args": ["x"], "to": [-1, -1]}"#, "$.nodes[0].to"),
            (#"{"name": "n", "op": "narrow", "args": ["x"], "dim": 1, "start": 2, "length": 2}"#, "$.nodes[0].start"),
            (#"{"name": "n", "op": "narrow", "args": ["x"], "dim": 1, "start": -1, "length": 1}"#, "$.nodes[0].start"),
            (#"{"name": "n", "op": "transpose", "args": ["x"], "dims": [0, 2]}"#, "$.nodes[0].dims"),
            (#"{"name": "n", "op": "transpose", "args": ["x"], "dims": [0]}"#, "$.nodes[0].dims"),
            (#"{"name": "n", "op": "cat", "args": ["x", "w"], "dim": 0}"#, "$.nodes[0].args[1]"),
            (#"{"name": "n", "op": "add", "args": ["x", "v"]}"#, "$.nodes[0].args"),
            (#"{"name": "n", "op": "clamp", "args": ["x"], "min": "0x1p+1", "max": "0x1p+0"}"#, "$.nodes[0].min"),
            (#"{"name": "n", "op": "clamp", "args": ["x"]}"#, "$.nodes[0].min"),
            (#"{"name": "n", "op": "clamp", "args": ["x"], "max": "inf"}"#, "$.nodes[0].max"),
            (#"{"name": "n", "op": "max", "args": ["e"]}"#, "$.nodes[0].args[0]"),
            (#"{"name": "n", "op": "pow", "args": ["x"], "exponent": 2.5}"#, "$.nodes[0].exponent"),
            (#"{"name": "n", "op": "where", "args": ["x", "x"]}"#, "$.nodes[0].args"),
        ]
        for (node, path) in cases {
            let text = """
                {"format": "autograd-graph", "version": 1,
                 "inputs": [{"name": "x", "shape": [2, 3], "values": ["0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0"]},
                            {"name": "w", "shape": [3], "values": ["0x1p+0", "0x1p+0", "0x1p+0"]},
                            {"name": "v", "shape": [4], "values": ["0x1p+0", "0x1p+0", "0x1p+0", "0x1p+0"]},
                            {"name": "e", "shape": [0], "values": []}],
                 "nodes": [\(node)], "output": "x"}
                """
            #expect(throws: GraphDocumentError.self, "\(node)") { try GraphDocument(json: text).record() }
            do { _ = try GraphDocument(json: text).record() } catch { #expect(error.path == path, "\(node): \(error)") }
        }
    }
}
