// Choosing the backend by configuration: a file, the environment and flags,
// the first that sets a key winning; and a strategy of the program's own,
// registered beside the built-in ones.
import Autograd
import Foundation

// A fresh working directory, as a program's own.
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autograd-configuration-snippet-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
FileManager.default.changeCurrentDirectoryPath(directory.path)

// snippet.file
try """
autograd:
  backend: forward
  check:
    ulps: 2
""".write(toFile: "autograd.yaml", atomically: true, encoding: .utf8)

let fromFile = try AutogradConfiguration.load(environment: [:])
print(fromFile.backend.value, "from", fromFile.backend.source)
print(fromFile.checkULPs.value, "from", fromFile.checkULPs.source)
// Prints:
// forward from file autograd.yaml
// 2.0 from file autograd.yaml
// snippet.end

// snippet.precedence
let environment = ["AUTOGRAD_BACKEND": "exact"]
let fromEnvironment = try AutogradConfiguration.load(environment: environment)
print(fromEnvironment.backend.value, "from", fromEnvironment.backend.source)

let fromFlag = try AutogradConfiguration.load(flags: [.backend: "reverse"], environment: environment)
print(fromFlag.backend.value, "from", fromFlag.backend.source)
// Prints:
// exact from environment variable AUTOGRAD_BACKEND
// reverse from flag --backend
// snippet.end

// snippet.error
do {
    _ = try AutogradConfiguration.load(flags: [.backend: "revers"], environment: [:])
} catch {
    print("error:", error)
}
// Prints:
// error: unknown backend "revers" (from flag --backend); valid backends: forward, reverse, exact, compiled
// snippet.end

// snippet.program
Tensor.manualSeed(0)
let real = Tensor.rand(3, 8)
let predicted = Tensor.rand(3, 8, requiresGrad: true)
let loss = (predicted - real).pow(2).sum()

let strategy = try fromFile.strategy()
let gradient = try strategy.gradient(of: loss, withRespectTo: [predicted]).tensors[0]
print(strategy.name, gradient.eq(withNoGrad { 2 * (predicted - real) }).all())
// Prints:
// forward true
// snippet.end

// snippet.custom
/// Central finite differences, replaying the recorded graph.
struct CentralDifferences: Differentiable {
    var name: String { "central" }
    var step = 1e-6

    func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> [Tensor] {
        let graph = RecordedGraph(result)
        return try leaves.map { leaf in
            let x = leaf.scalars
            let slopes = try x.indices.map { i in
                func f(_ offset: Double) throws -> Double {
                    var moved = x
                    moved[i] += offset
                    let value: TensorValue<Double> = try graph.evaluate {
                        $0 === leaf ? TensorValue(shape: leaf.shape, scalars: moved) : $0.value
                    }
                    return value.scalars[0]
                }
                return try (f(step) - f(-step)) / (2 * step)
            }
            return Tensor(slopes, shape: leaf.shape)
        }
    }

    func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> [Tensor] {
        let (inputs, result) = Tensor.trace(at: point, of: function)
        return try gradient(of: result, withRespectTo: inputs)
    }
}

try BackendRegistry.standard.register("central", summary: "central finite differences") { _ in CentralDifferences() }
let central = try AutogradConfiguration.load(flags: [.backend: "central"], environment: [:]).strategy()
let lesson = try GradientCheck.run(strategies: [central]).first { $0.function == "lesson_loss" }!
print(lesson.strategy, lesson.passed ? "pass" : "FAIL", lesson.maxULP > 1e6 ? "(over a million ULPs off)" : "")
// Prints:
// central FAIL (over a million ULPs off)
// snippet.end
