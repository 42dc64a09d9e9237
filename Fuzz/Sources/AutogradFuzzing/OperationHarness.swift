import Autograd
import Foundation

/// Random op sequences on random shapes (a ``Program`` decoded from the
/// bytes), differentiated by every strategy and by `backward()`.
///
/// Thrown errors are fine answers (NaN inputs to the exact strategy, a
/// division by zero in an exact replay, a result that does not require
/// gradients); a trap is a finding, and so is a broken promise:
///
/// - every strategy returns one gradient per leaf, shaped like it;
/// - the exact strategy reports a status per element and, for the built-in
///   ops, no wrong rule;
/// - `backward()` accumulates what `ReverseMode` returns, bit for bit, and
///   `ReverseMode` after `backward()` freed the graph replays the same bits
///   (any NaN matching any NaN);
/// - an error changes nothing: `.grad` stays as it was.
///
/// The settings byte of the program chooses the exact strategy's
/// precisions, auditing, and whether the function-based API and
/// `GradientCheck` run too. With `AUTOGRAD_FUZZ_PRINT` set in the
/// environment, each program is printed (as Swift code) before it runs: the
/// way to read a crashing input.
///
/// ```swift
/// OperationHarness.run(bytes)
/// ```
public enum OperationHarness {
    /// Whether to print each program before running it.
    static let printsPrograms = ProcessInfo.processInfo.environment["AUTOGRAD_FUZZ_PRINT"] != nil

    /// Decodes a program from `bytes`, runs it and differentiates it.
    public static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let program = Program(decoding: &input)
        if printsPrograms { FileHandle.standardError.write(Data((program.description + "\n").utf8)) }
        check(program)
    }

    /// Runs and differentiates `program`, checking every promise.
    public static func check(_ program: Program) {
        let leaves = program.makeLeaves()
        let loss = program.run(leaves)
        let wanted = leaves.filter(\.requiresGrad)
        let context = program.description

        // Printing and drawing never trap.
        _ = loss.description
        let graph = RecordedGraph(loss)
        _ = graph.dot()
        _ = graph.requiresElementaryFunctions

        let reverse = expectGradients(ReverseMode(), of: loss, wanted, context: context)
        _ = expectGradients(ForwardMode(), of: loss, wanted, context: context)
        checkExact(program, loss: loss, wanted, context: context)
        guard wanted.allSatisfy({ $0.grad == nil }) else { fuzzFailure("a strategy wrote .grad", context: context) }

        let forward = ForwardMode()
        let ones = wanted.map { Tensor.full($0.shape, value: 1) }
        if let (value, derivative) = try? forward.jvp(of: loss, at: wanted, along: ones) {
            guard value.shape == loss.shape, derivative.shape == loss.shape else {
                fuzzFailure("jvp shapes \(value.shape), \(derivative.shape) for a loss of shape \(loss.shape)", context: context)
            }
        }
        if let products = try? forward.hessianVectorProduct(of: loss, withRespectTo: wanted, along: ones) {
            guard products.map(\.shape) == wanted.map(\.shape) else {
                fuzzFailure("hessianVectorProduct shapes \(products.map(\.shape)) for leaves \(wanted.map(\.shape))", context: context)
            }
        }

        checkBackward(loss, wanted, reverse: reverse, context: context)

        if program.settings & 0x10 != 0 { checkFunctionAPI(program, context: context) }
        if program.settings & 0x20 != 0 { runGradientCheck(program, context: context) }
    }

    /// The strategy's gradients, checked for count and shapes, or `nil`
    /// when it throws.
    @discardableResult
    static func expectGradients<Strategy: Differentiable>(
        _ strategy: Strategy, of loss: Tensor, _ leaves: [Tensor], context: String
    ) -> [Tensor]? {
        guard let gradient = try? strategy.gradient(of: loss, withRespectTo: leaves) else { return nil }
        let tensors = gradient.tensors
        guard tensors.count == leaves.count, zip(tensors, leaves).allSatisfy({ $0.shape == $1.shape }) else {
            fuzzFailure("\(strategy.name) gave shapes \(tensors.map(\.shape)) for leaves \(leaves.map(\.shape))", context: context)
        }
        for tensor in tensors { _ = tensor.description }
        return tensors
    }

    /// The exact strategy at the program's precisions, auditing the rules.
    static func checkExact(_ program: Program, loss: Tensor, _ leaves: [Tensor], context: String) {
        let precision = [256, 53, 64, 256][Int(program.settings) & 3]
        let maximum = [4096, 1024, 256, 4096][Int(program.settings >> 2) & 3]
        let auditing = program.settings & 0x40 != 0
        let exact = ExactMode(precision: precision, maximumPrecision: maximum)
        let gradient: ExactGradient
        do {
            gradient = try exact.gradient(of: loss, withRespectTo: leaves, auditing: auditing)
        } catch {
            _ = "\(error)"
            return
        }
        let tensors = gradient.tensors
        guard tensors.count == leaves.count, zip(tensors, leaves).allSatisfy({ $0.shape == $1.shape }) else {
            fuzzFailure("exact gave shapes \(tensors.map(\.shape)) for leaves \(leaves.map(\.shape))", context: context)
        }
        guard gradient.elementStatuses.map(\.count) == leaves.map(\.elementCount) else {
            fuzzFailure("exact gave \(gradient.elementStatuses.map(\.count)) statuses for \(leaves.map(\.elementCount)) elements", context: context)
        }
        let elementary = RecordedGraph(loss).requiresElementaryFunctions
        guard gradient.isExact == !elementary else {
            fuzzFailure("exact: isExact is \(gradient.isExact) for a graph with\(elementary ? "" : "out") elementary functions", context: context)
        }
        for (input, statuses) in gradient.elementStatuses.enumerated() {
            for (element, status) in statuses.enumerated() {
                if case .unresolved(let lower, let upper, _) = status {
                    guard !(lower > upper) else { fuzzFailure("exact: enclosure [\(lower), \(upper)] of input \(input) element \(element) is empty", context: context) }
                } else {
                    _ = tensors[input].scalars[element]
                }
            }
        }
        _ = gradient.exactness
        _ = gradient.branchDivergences.map(\.description)
        _ = gradient.givenInputs.map(\.description)
        if auditing {
            guard gradient.ruleFindings.isEmpty else {
                fuzzFailure("a built-in op's rule disagrees with its value formula: \(gradient.ruleFindings)", context: context)
            }
            guard let bounds = gradient.roundingBounds, bounds.map(\.count) == leaves.map(\.elementCount) else {
                fuzzFailure("auditing gave rounding bounds for \(gradient.roundingBounds.map { $0.map(\.count) } ?? []) elements", context: context)
            }
            for bound in bounds.joined() where bound < 0 {
                fuzzFailure("a negative rounding bound \(bound)", context: context)
            }
        }
    }

    /// `backward()`, then everything it promises.
    static func checkBackward(_ loss: Tensor, _ leaves: [Tensor], reverse: [Tensor]?, context: String) {
        do {
            try loss.backward()
        } catch {
            guard leaves.allSatisfy({ $0.grad == nil }) else { fuzzFailure("backward() threw \(error) but changed .grad", context: context) }
            guard reverse == nil else {
                fuzzFailure("backward() threw \(error) where ReverseMode gave a gradient", context: context)
            }
            return
        }
        guard let reverse else { fuzzFailure("backward() succeeded where ReverseMode threw", context: context) }
        for (index, leaf) in leaves.enumerated() {
            let accumulated = leaf.grad?.scalars ?? [Double](repeating: 0, count: leaf.elementCount)
            guard sameBits(accumulated, reverse[index].scalars) else {
                fuzzFailure("leaf \(index): backward() gave \(accumulated), ReverseMode \(reverse[index].scalars)", context: context)
            }
        }
        // The graph is freed: a second backward() may throw, and then changes nothing.
        let before = leaves.map { $0.grad?.scalars }
        do {
            try loss.backward()
        } catch {
            for (leaf, old) in zip(leaves, before) where !sameBits(leaf.grad?.scalars ?? [], old ?? []) || (leaf.grad == nil) != (old == nil) {
                fuzzFailure("a second backward() threw \(error) but changed .grad", context: context)
            }
        }
        // ReverseMode replays the freed graph: the same bits.
        guard let replayed = try? ReverseMode().gradient(of: loss, withRespectTo: leaves) else {
            fuzzFailure("ReverseMode threw after backward() freed the graph", context: context)
        }
        for (index, (replay, tape)) in zip(replayed, reverse).enumerated() where !sameBits(replay.scalars, tape.scalars) {
            fuzzFailure("leaf \(index): the replay after backward() gave \(replay.scalars), the tape \(tape.scalars)", context: context)
        }
        expectGradients(ForwardMode(), of: loss, leaves, context: context)
    }

    /// The function-based API: every strategy traces the program afresh.
    static func checkFunctionAPI(_ program: Program, context: String) {
        let point = program.leaves.map { Tensor($0.scalars, shape: $0.shape) }
        let function: ([Tensor]) -> Tensor = { program.run($0) }
        for strategy in [ReverseMode() as any Differentiable, ForwardMode()] {
            guard let gradient = try? strategy.gradient(at: point, of: function) else { continue }
            guard gradient.tensors.map(\.shape) == point.map(\.shape) else {
                fuzzFailure("\(strategy.name) gradient(at:of:) gave shapes \(gradient.tensors.map(\.shape))", context: context)
            }
        }
        if let exact = try? ExactMode(maximumPrecision: 1024).gradient(at: point, of: function) {
            guard exact.tensors.map(\.shape) == point.map(\.shape) else {
                fuzzFailure("exact gradient(at:of:) gave shapes \(exact.tensors.map(\.shape))", context: context)
            }
        }
    }

    /// `GradientCheck.check` on the traced program: it must give a verdict
    /// (or throw), never trap.
    static func runGradientCheck(_ program: Program, context: String) {
        let inputs = program.leaves.map { Tensor($0.scalars, shape: $0.shape) }
        guard let results = try? GradientCheck.check("fuzz", inputs: inputs, reference: ExactMode(maximumPrecision: 1024), loss: { program.run($0) }) else { return }
        for result in results { _ = (result.passed, result.worst, result.bound, result.maxULP) }
    }

    /// Whether two arrays hold the same `Double`s bit for bit, but for NaNs,
    /// which match any NaN: which sign and payload a NaN gets depends on the
    /// order of the operations that made it (x86's default NaN is negative, a
    /// propagated one keeps its sign), which IEEE 754 leaves open.
    static func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }
}
