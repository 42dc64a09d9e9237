#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A function of tensors traced once and compiled into a plan that fuses its
/// element-wise ops: each call then runs the plan on new values, reading each
/// input once and writing each gradient once, in cache-sized pieces spread
/// over threads, as JAX's `jit` or ReverseDiff.jl's compiled tapes do.
///
/// Chains of element-wise ops (`+ − × ÷`, `pow`, `exp`, `tanh`, custom ops
/// conforming to ``FusibleUnaryOperation`` or ``FusibleBinaryOperation``)
/// over operands of one shape, and the `sum()` or `mean()` that ends them,
/// become one loop; other ops (`matmul`, reductions along an axis, reshapes,
/// broadcasting) run as the tape runs them, between fused regions. Values
/// and gradients are the eager tape's, bit for bit, on any number of threads.
///
/// The function is traced once, at the example inputs, like `torch.jit.trace`:
/// ops are recorded as they run, and control flow in Swift is frozen as it went.
/// Tensors made outside the function are constants, kept as they were when
/// compiled. A `where` (whose condition is a traced value) is refused.
///
/// ```swift
/// let loss = try CompiledFunction(tracingAt: [predicted, real]) { x in (x[0] - x[1]).pow(2).sum() }
/// let (value, gradients) = try loss.valueWithGradient([predicted, real])
/// gradients[0]   // 2 * (predicted - real)
/// ```
public struct CompiledFunction: Sendable {
    /// The shapes of the inputs, as traced.
    public let inputShapes: [Shape]
    /// The number of threads a call may use.
    public let threads: Int
    /// The positions of the inputs that gradients are computed for, in order.
    public let differentiatedInputs: [Int]
    let plan: CompiledPlan
    /// The plan's slot of each input.
    let inputSlots: [Int]
    /// The plan run straight on the inputs, when it is one final sum.
    let directSum: DirectSumCall?

    /// Traces `function` at `example` and compiles it, for calls with inputs
    /// of the same shapes.
    ///
    /// - Parameters:
    ///   - example: inputs to trace the function at; calls take inputs of
    ///     their shapes.
    ///   - differentiatedInputs: the positions of the inputs to differentiate
    ///     with respect to (like JAX's `argnums`); by default every input.
    ///     A position out of range traps, naming it.
    ///   - threads: how many threads a call may use (by default the
    ///     machine's cores); the results do not depend on it.
    ///   - function: the function of the inputs, traced once.
    /// - Throws: ``AutogradError/notCompilable(operation:reason:)`` when the
    ///   function contains an op that a plan cannot run on other values.
    public init(
        tracingAt example: [Tensor], withRespectTo differentiatedInputs: [Int]? = nil,
        threads: Int = CompiledFunction.defaultThreadCount, _ function: ([Tensor]) -> Tensor
    ) throws(AutogradError) {
        let (inputs, result) = Tensor.trace(at: example, of: function)
        try self.init(result: result, inputs: inputs, withRespectTo: differentiatedInputs, threads: threads)
    }

    /// Compiles the recorded graph of `result`, a result a program already
    /// computed, whose inputs are `inputs` (other leaves are constants), for
    /// calls on new values of the inputs. (``CompiledReverseMode`` compiles a
    /// graph the same way, but runs it once, on the recorded values, so it
    /// also accepts a `where`.)
    ///
    /// ```swift
    /// let loss = (predicted - real).pow(2).sum()
    /// let compiled = try CompiledFunction(result: loss, inputs: [predicted])
    /// ```
    public init(
        result: Tensor, inputs: [Tensor], withRespectTo differentiatedInputs: [Int]? = nil,
        threads: Int = CompiledFunction.defaultThreadCount
    ) throws(AutogradError) {
        try self.init(result: result, inputs: inputs, withRespectTo: differentiatedInputs, threads: threads, atRecordedValues: false)
    }

    /// Compiles the graph of `result`; `atRecordedValues` for a plan that
    /// runs only on the values it was recorded at (which may contain `where`).
    init(
        result: Tensor, inputs: [Tensor], withRespectTo differentiatedInputs: [Int]?, threads: Int, atRecordedValues: Bool
    ) throws(AutogradError) {
        let differentiated = differentiatedInputs ?? Array(inputs.indices)
        for position in differentiated where !inputs.indices.contains(position) {
            fatalError("CompiledFunction: withRespectTo: input \(position) does not exist; the function has \(inputs.count) inputs")
        }
        self.differentiatedInputs = differentiated
        plan = try CompiledPlan(
            result: result, inputs: inputs, wanted: inputs.indices.map { differentiated.contains($0) },
            atRecordedValues: atRecordedValues)
        inputShapes = inputs.map(\.shape)
        var slots: [ObjectIdentifier: Int] = [:]
        inputSlots = inputs.map { input in
            if let slot = slots[ObjectIdentifier(input)] { return slot }
            slots[ObjectIdentifier(input)] = slots.count
            return slots.count - 1
        }
        self.threads = Swift.max(1, threads)
        directSum = DirectSumCall.of(plan, inputSlots: inputSlots, differentiatedInputs: differentiated)
    }

    /// The function's value at `inputs`.
    ///
    /// ```swift
    /// try loss.value([predicted, real]).item()
    /// ```
    public func value(_ inputs: [Tensor]) throws(AutogradError) -> Tensor {
        let table = try slotTable(inputs)
        defer { table.free() }
        plan.run(table, differentiating: false, threads: threads)
        return Tensor(table.values[plan.resultSlot]!)
    }

    /// The function's value and its gradient with respect to each input in
    /// ``differentiatedInputs`` (in that order), in one pass where the plan
    /// fuses; the result must have one element.
    ///
    /// - Throws: ``AutogradError/nonScalarBackward(shape:)`` for a result of
    ///   more than one element, or an input count or shape other than traced.
    public func valueWithGradient(_ inputs: [Tensor]) throws(AutogradError) -> (value: Tensor, gradient: [Tensor]) {
        let resultShape = plan.slotShapes[plan.resultSlot]
        guard resultShape.elementCount == 1 else { throw .nonScalarBackward(shape: resultShape) }
        if let directSum {
            // The gradients are written straight into the tensors returned.
            try checkInputs(inputs)
            let gradients = differentiatedInputs.map { Tensor(.uninitialized(inputShapes[$0])) }
            let value = directSum.run(
                inputs, gradientAddress: { gradients[$0].storedValue.unsafeMutableBaseAddress }, threads: threads)
            return (Tensor(TensorValue(scalar: value)), gradients)
        }
        let table = try slotTable(inputs)
        defer { table.free() }
        plan.run(table, differentiating: true, threads: threads)
        let gradients = differentiatedInputs.map { Tensor(table.gradients[inputSlots[$0]] ?? .zeros(inputShapes[$0])) }
        return (Tensor(table.values[plan.resultSlot]!), gradients)
    }

    /// The function's value, with its gradients written into `gradients`,
    /// one per input in ``differentiatedInputs``, as ReverseDiff.jl's
    /// `gradient!` writes into a result it is given. When the plan is one
    /// final sum (the lesson's loss), the buffers that the array holds are
    /// reused if they have the right shapes and nothing else shares them
    /// (copy-on-write), so that calls in a loop allocate nothing; any other
    /// plan replaces them with the gradients it computes. Start with an
    /// empty array; the result must have one element.
    ///
    /// ```swift
    /// var gradients: [TensorValue<Double>] = []
    /// for _ in 0..<1000 {
    ///     let loss = try compiled.valueWithGradient([predicted, real], into: &gradients)
    ///     ...   // gradients[0] is 2 * (predicted - real)
    /// }
    /// ```
    ///
    /// - Throws: ``AutogradError/nonScalarBackward(shape:)`` for a result of
    ///   more than one element, or an input count or shape other than traced.
    public func valueWithGradient(_ inputs: [Tensor], into gradients: inout [TensorValue<Double>]) throws(AutogradError) -> Double {
        // Tested, not bound: binding the call would retain it.
        guard directSum != nil else {
            let (value, computed) = try valueWithGradient(inputs)
            gradients = computed.map(\.value)
            return value.item()
        }
        try checkInputs(inputs)
        if gradients.count != differentiatedInputs.count {
            gradients = differentiatedInputs.map { .uninitialized(inputShapes[$0]) }
        }
        for (position, input) in differentiatedInputs.enumerated()
        where gradients[position].shape != inputShapes[input] || !gradients[position].isUniquelyReferenced() {
            gradients[position] = .uninitialized(inputShapes[input])
        }
        return directSum.unsafelyUnwrapped.run(
            inputs, gradientAddress: { gradients[$0].unsafeMutableBaseAddress }, threads: threads)
    }

    /// The fused regions of the plan, each as its ops and element count:
    /// `["Sub, Pow, Sum over 1000 elements"]`.
    public var fusedRegions: [String] { plan.regionDescriptions }

    /// A table for one run holding the inputs' values, after checking their
    /// count and shapes.
    private func slotTable(_ inputs: [Tensor]) throws(AutogradError) -> SlotTable {
        try checkInputs(inputs)
        let table = SlotTable(count: plan.slotShapes.count)
        for (index, input) in inputs.enumerated() where table.values[inputSlots[index]] == nil {
            table.values[inputSlots[index]] = input.value
        }
        return table
    }

    /// Throws unless `inputs` has the traced count and shapes.
    private func checkInputs(_ inputs: [Tensor]) throws(AutogradError) {
        guard inputs.count == inputShapes.count else { throw .inputCountMismatch(expected: inputShapes.count, got: inputs.count) }
        for (index, input) in inputs.enumerated() where !input.hasShape(inputShapes[index]) {
            throw .inputShapeMismatch(index: index, expected: inputShapes[index], got: input.shape)
        }
    }

    /// The machine's online processor count, the default number of threads.
    public static var defaultThreadCount: Int {
        #if canImport(Glibc) || canImport(Darwin)
        Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        1
        #endif
    }
}
