// A custom op, log(cosh x), written once over the scalar: it runs on the tape,
// in forward mode and in the exact reference, and its rules are validated
// against the exact derivatives of its value formula.
import Autograd
// snippet.testImports
import AutogradTesting
import Testing
// snippet.end

// snippet.define
/// logCosh(x) = ln(cosh x), computed as |x| + ln(1 + e^−2|x|) − ln 2 (no overflow).
struct LogCosh: ElementwiseElementaryOperation {
    var name: String { "LogCosh" }
    func apply<S: ElementaryScalar>(_ x: S) -> S {
        let magnitude = x < .zero ? -x : x
        return magnitude + S.log(onePlus: S.exp(-2 * magnitude)) - S.log(2)
    }
    func derivative<S: ElementaryScalar>(at x: S, output: S) -> S {
        S.tanh(x)
    }
}

extension Tensor {
    func logCosh() -> Tensor { applying(LogCosh()) }
}
// snippet.end

// snippet.use
let x = Tensor([-1.0, 0.5, 3], requiresGrad: true)
let z = x.logCosh()
print(z.gradFn!)
let y = z.sum()
try y.backward()
print(x.grad!)
let exact = try ExactMode().gradient(of: y, withRespectTo: [x])
print(exact.tensors[0], exact.exactness)
// Prints:
// LogCoshBackward
// tensor([-0.7616,  0.4621,  0.9951])
// tensor([-0.7616,  0.4621,  0.9951]) correctly rounded (≤ 256 bits)
// snippet.end

// snippet.test
@Test func logCoshIsValid() { expectValid(LogCosh(), domain: -30...30) }
// snippet.end

// snippet.validate
let report = try OpValidation.validate(LogCosh(), domain: -30...30)
print(report.passed)
// Prints:
// true
// snippet.end

// snippet.wrong
/// The same op with a derivative that lost its sign.
struct WrongLogCosh: ElementwiseElementaryOperation {
    var name: String { "WrongLogCosh" }
    func apply<S: ElementaryScalar>(_ x: S) -> S { LogCosh().apply(x) }
    func derivative<S: ElementaryScalar>(at x: S, output: S) -> S { -S.tanh(x) }
}
let wrong = try OpValidation.validate(WrongLogCosh(), domain: -30...30)
print(wrong.passed)
print(wrong.description.split(separator: "\n").prefix(2).joined(separator: "\n"))
// Prints:
// false
// WrongLogCosh: INVALID (reference approximate (256 bits))
//   jvp, input 0, element 0: got -9.9998943979671823409e-1, expected 9.9998943979671823409e-1
// snippet.end
