import Autograd
import Foundation
import Testing

/// Bad or extreme input through the public API gets a precise, typed error
/// (or, for large check sizes, a cost linear in the size), never a crash
/// (issue 11, items 10 and 11).
@Suite struct BadInputTests {
    /// Every input of every checked function holds at most `size` elements
    /// (rounded up to a multiple of 8; matmul's second factor 64), so a check's time and memory grow
    /// linearly with `size`: matmul is (size/8)×8 by 8×8, no longer a
    /// (size/8)×(size/8) product.
    @Test(arguments: [24, 1_000, 40_000])
    func theCheckedFunctionsGrowLinearlyWithTheSize(_ size: Int) throws {
        let functions = try GradientCheck.functions(size: size)
        #expect(functions.map(\.name) == [
            "lesson_loss", "add", "sub", "mul", "div", "neg", "pow", "pow_real", "exp", "log", "log_near_1", "sqrt",
            "sin", "cos", "tanh", "tanh_wide", "sigmoid", "sigmoid_wide", "log1p", "log1p_negative", "expm1", "expm1_near_0",
            "softplus", "abs", "relu", "clamp", "max", "max_dim", "sum", "mean", "matmul",
            "log_sum_exp", "cross_entropy", "where", "narrow_cat",
        ])
        let rounded = (size + 7) / 8 * 8
        for function in functions {
            for shape in function.inputShapes { #expect(shape.elementCount <= max(rounded, 64), "\(function.name) \(shape)") }
        }
        let matmul = try #require(functions.first { $0.name == "matmul" })
        #expect(matmul.inputShapes == [[rounded / 8, 8], [8, 8]])
    }

    /// Sizes out of range are typed errors, before anything is allocated.
    @Test func theCheckRejectsSizesOutOfRange() throws {
        let limit = GradientCheck.maximumSize
        #expect(limit == 1_000_000)
        #expect(throws: GradientCheckError.sizeTooLarge(limit + 1, limit: limit)) { try GradientCheck.run(size: limit + 1) }
        #expect(throws: GradientCheckError.sizeTooLarge(Int.max, limit: limit)) { try GradientCheck.functions(size: Int.max) }
        #expect(throws: GradientCheckError.invalidSize(0)) { try GradientCheck.functions(size: 0) }
        #expect(throws: GradientCheckError.invalidSize(-1)) { try GradientCheck.functions(size: -1) }
        #expect(GradientCheckError.sizeTooLarge(10_000_000, limit: limit).description
            == "the size 10000000 is too large: at most 1000000 elements per input are checked")
    }

    /// A fraction with a zero denominator says so (it said "not a rational number").
    @Test func aZeroDenominatorIsADivisionByZero() {
        for text in ["1/0", "-3/0", "0/0", " 7/-0 "] {
            #expect(throws: ExactError.zeroDenominator(text)) { try Rational(text) }
        }
        #expect(ExactError.zeroDenominator("1/0").description == #""1/0" divides by zero: the denominator of a fraction must not be 0"#)
    }

    /// An exponent beyond the limit says so, with the limit (it said "not a
    /// rational number"); one that Int cannot even hold too, without a trap.
    @Test func anExponentOutOfRangeSaysTheLimit() throws {
        for text in ["1e999999", "1e-100001", "2.5E+100001", "1e99999999999999999999", "1e-9223372036854775808"] {
            #expect(throws: ExactError.exponentOutOfRange(text, limit: 100_000)) { try Rational(text) }
        }
        #expect(ExactError.exponentOutOfRange("1e999999", limit: 100_000).description
            == #"the exponent of "1e999999" is out of range: a decimal's exponent must be from -100000 to 100000"#)
        #expect(try Rational("1e-3") == Rational(numerator: 1, denominator: 1000))
        #expect(try Rational("1e+2") == Rational(100))
        // A malformed mantissa is malformed, whatever its exponent.
        #expect(throws: ExactError.malformedNumber("xe999999")) { try Rational("xe999999") }
        #expect(throws: ExactError.malformedNumber("1e")) { try Rational("1e") }
        #expect(throws: ExactError.malformedNumber("1/2/3")) { try Rational("1/2/3") }
    }

    /// BigFloat's parse errors name big floats, not rationals.
    @Test(arguments: ["", "abc", "1/3", "1.2.3", "0x"])
    func bigFloatParseErrorsNameBigFloats(_ text: String) {
        #expect(throws: ExactError.malformedBigFloat(text)) { try BigFloat(text) }
        let message = ExactError.malformedBigFloat(text).description
        #expect(message == "\"\(text)\" is not a big float: write a decimal such as 0.1, -2.5e-3 or 1e400")
        #expect(!message.contains("rational"))
    }

    /// A malformed JSON file's error has a line and column, also where
    /// Foundation gives no place (an unexpected end of file, a number out of range).
    @Test(arguments: [
        ("{\"autograd\": {\n  \"seed\": ,\n}}", 2, 11, "Invalid value"),
        ("{\"autograd\": {\"backend\": \"exact\",\n  \"seed\": \n\n", 2, 10, "Unexpected end of file during JSON parse"),
        ("", 1, 1, "Unexpected end of file during JSON parse"),
        ("{\"autograd\": {\n  \"seed\": 1e999}}", 2, 11, "Number 1e999 is not representable in Swift"),
        // Columns count characters, not the bytes Foundation counts.
        ("{\"é\": {\"ü\": x}}", 1, 13, "Invalid value"),
    ])
    func malformedJSONErrorsHaveALineAndColumn(_ text: String, _ line: Int, _ column: Int, _ reason: String) throws {
        try withTemporaryDirectory { directory in
            let path = try write(text, to: "autograd.json", in: directory)
            let error = configurationError(try AutogradConfiguration.load(configFile: path, environment: [:]))
            #expect(error == .malformedFile(path: path, line: line, column: column, reason: reason))
        }
    }

    /// Every strategy refuses bad requests with a typed error and changes
    /// nothing: no `.grad`, the graph not freed, the values as they were.
    @Test func everyStrategyRefusesBadRequestsAndChangesNothing() throws {
        let x = Tensor([1.0, 2], requiresGrad: true)
        let constant = Tensor([3.0, 4])
        let y = x * 2
        let loss = (y * constant).sum()
        let strategies: [any Differentiable] = [ReverseMode(), ForwardMode(), ExactMode()]
        for strategy in strategies {
            #expect(throws: AutogradError.inputDoesNotRequireGrad(index: 1), "\(strategy.name)") {
                try strategy.gradient(of: loss, withRespectTo: [x, constant])
            }
            #expect(throws: AutogradError.inputIsNotLeaf(index: 0), "\(strategy.name)") {
                try strategy.gradient(of: loss, withRespectTo: [y])
            }
            #expect(throws: AutogradError.nonScalarBackward(shape: [2]), "\(strategy.name)") {
                try strategy.gradient(of: y, withRespectTo: [x])
            }
        }
        #expect(throws: AutogradError.tangentCountMismatch(expected: 1, got: 2)) {
            try ForwardMode().jvp(of: loss, at: [x], along: [x, x])
        }
        #expect(throws: AutogradError.tangentShapeMismatch(index: 0, expected: [2], got: [3])) {
            try ForwardMode().jvp(of: loss, at: [x], along: [Tensor([1.0, 2, 3])])
        }
        #expect(throws: AutogradError.gradientShapeMismatch(expected: [2], got: [3])) {
            try y.backward(gradient: Tensor([1.0, 1, 1]))
        }
        let infinite = Tensor([1.0, .infinity], requiresGrad: true)
        #expect(throws: ExactError.notFinite(.infinity)) {
            try ExactMode().gradient(of: (infinite * 2).sum(), withRespectTo: [infinite])
        }
        #expect(x.grad == nil && infinite.grad == nil && loss.gradFn?.isFreed == false && y.gradFn?.isFreed == false)
        #expect(x.scalars == [1, 2] && constant.scalars == [3, 4])
        // The graph still works: a good request after the bad ones.
        #expect(try ReverseMode().gradient(of: loss, withRespectTo: [x])[0].scalars == [6, 8])
    }
}
