/// A plan whose only step is a final sum of element-wise ops (the lesson's
/// loss), run straight on the inputs' elements and into the caller's
/// gradient buffers: no table of slots and no tensor made, so that a call on
/// small tensors costs little more than its arithmetic.
final class DirectSumCall: Sendable {
    /// Where an external of the region reads its values.
    enum Source: Sendable {
        /// The input at this position of the call.
        case input(Int)
        /// A constant of the plan.
        case constant(TensorValue<Double>)
    }

    /// How a gradient of the call is filled.
    enum Fill: Sendable {
        /// By the region, as the gradient of this external.
        case external(Int)
        /// As a copy of an earlier gradient (the same input passed twice).
        case copy(of: Int)
        /// With zeros: the result does not depend on the input.
        case zeros
    }

    let region: FusedRegion
    /// For each external of the region, where its values are.
    let sources: [Source]
    /// For each external of the region, the gradient it writes, if any.
    let gradientOfExternal: [Int?]
    /// For each gradient of the call, in the order of the differentiated inputs.
    let fills: [Fill]
    /// The number of elements of each gradient of the call.
    let gradientCounts: [Int]

    /// The direct call of `plan`, if its only step is a final sum; the
    /// inputs of the call have the slots `inputSlots`, and their gradients
    /// are wanted at `differentiatedInputs`.
    static func of(_ plan: CompiledPlan, inputSlots: [Int], differentiatedInputs: [Int]) -> DirectSumCall? {
        guard plan.steps.count == 1, case .region(let region) = plan.steps[0], region.outputSlot == plan.resultSlot,
              region.exit != .tensor
        else { return nil }
        return DirectSumCall(plan: plan, region: region, inputSlots: inputSlots, differentiatedInputs: differentiatedInputs)
    }

    private init(plan: CompiledPlan, region: FusedRegion, inputSlots: [Int], differentiatedInputs: [Int]) {
        self.region = region
        let constants = Dictionary(plan.constants.map { ($0.slot, $0.value) }, uniquingKeysWith: { first, _ in first })
        sources = region.externals.map { slot in
            if let position = inputSlots.firstIndex(of: slot) { return .input(position) }
            return .constant(constants[slot]!)
        }
        var gradientOfExternal = [Int?](repeating: nil, count: region.externals.count)
        var fills: [Fill] = []
        for (position, input) in differentiatedInputs.enumerated() {
            let slot = inputSlots[input]
            if let earlier = differentiatedInputs[..<position].firstIndex(where: { inputSlots[$0] == slot }) {
                fills.append(.copy(of: earlier))
            } else if let external = region.externals.firstIndex(of: slot), region.externalNeedsGradient[external] {
                gradientOfExternal[external] = position
                fills.append(.external(external))
            } else {
                fills.append(.zeros)
            }
        }
        self.gradientOfExternal = gradientOfExternal
        self.fills = fills
        gradientCounts = differentiatedInputs.map { plan.slotShapes[inputSlots[$0]].elementCount }
    }

    /// Runs the region on `inputs` and returns the sum, with each gradient
    /// written at `gradientAddress(position)`: the elements of a buffer of
    /// the input's shape for each differentiated input, held by no one else.
    func run(
        _ inputs: [Tensor], gradientAddress: (Int) -> UnsafeMutablePointer<Double>, threads: Int
    ) -> Double {
        let externalCount = region.externals.count
        return withUnsafeTemporaryAllocation(of: FusedRegion.ExternalAddresses.self, capacity: externalCount) { addresses in
            for index in 0..<externalCount {
                let values = switch sources[index] {
                case .input(let position): inputs[position].unsafeElementsAddress
                case .constant(let value): value.unsafeBaseAddress
                }
                (addresses.baseAddress! + index).initialize(to: FusedRegion.ExternalAddresses(
                    input: values, gradient: gradientOfExternal[index].map(gradientAddress), existing: nil))
            }
            let total = region.run(
                UnsafePointer(addresses.baseAddress!), pass: .init(computesValue: true, computesGradient: true),
                sumSeed: 1, exitGradient: nil, tensorOutput: nil, threads: threads)
            for (position, fill) in fills.enumerated() {
                switch fill {
                case .external: break
                case .copy(let earlier):
                    gradientAddress(position).update(from: gradientAddress(earlier), count: gradientCounts[position])
                case .zeros:
                    gradientAddress(position).update(repeating: 0, count: gradientCounts[position])
                }
            }
            return total
        }
    }
}
