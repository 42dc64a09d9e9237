import AutogradCore
import Foundation
import Testing

/// Misuse inside an operator expression traps, like Swift's own collections,
/// with a message that names the op and both shapes.
@Suite struct MisuseExitTests {
    /// Runs `body` in a child process and returns what it wrote to standard error.
    static func trapMessage(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func addingIncompatibleShapesTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(3, 8) + Tensor.ones(2, 4)
        }
        #expect(Self.trapMessage(result).contains("Add: shapes [3, 8] and [2, 4] cannot be broadcast together"))
    }

    @Test func subtractingIncompatibleShapesTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(3) - Tensor.ones(4, requiresGrad: true)
        }
        #expect(Self.trapMessage(result).contains("Sub: shapes [3] and [4] cannot be broadcast together"))
    }

    @Test func multiplyingMismatchedMatricesTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3).matmul(Tensor.ones(4, 5))
        }
        #expect(Self.trapMessage(result).contains("matmul: shapes [2, 3] and [4, 5] cannot be multiplied"))
    }

    @Test func reshapingToTheWrongCountTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3).reshape(4, 2)
        }
        #expect(Self.trapMessage(result).contains("reshape: shape [2, 3] (6 elements) cannot be reshaped to [4, 2]"))
    }

    @Test func summingAlongAMissingAxisTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3).sum(dim: 2)
        }
        #expect(Self.trapMessage(result).contains("sum(dim:): axis 2 is out of range for shape [2, 3]"))
    }

    @Test func multiplyingAndDividingIncompatibleShapesTraps() async {
        let product = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3) * Tensor.ones(3, 2, requiresGrad: true)
        }
        #expect(Self.trapMessage(product).contains("Mul: shapes [2, 3] and [3, 2] cannot be broadcast together"))
        let quotient = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(4) / Tensor.ones(5)
        }
        #expect(Self.trapMessage(quotient).contains("Div: shapes [4] and [5] cannot be broadcast together"))
    }

    @Test func averagingAlongAMissingAxisTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3).mean(dim: -3)
        }
        #expect(Self.trapMessage(result).contains("mean(dim:): axis -3 is out of range for shape [2, 3]"))
    }

    @Test func aNegativeDimensionTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, -3)
        }
        #expect(Self.trapMessage(result).contains("Shape: dimension sizes must be non-negative, got [2, -3]"))
    }

    @Test func anIndexOutOfRangeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3)[1, 3]
        }
        #expect(Self.trapMessage(result).contains("index [1, 3] is out of range for shape [2, 3]"))
        let rank = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3)[1, 0, 0]
        }
        #expect(Self.trapMessage(rank).contains("index [1, 0, 0] has 3 components, but the shape [2, 3] has 2"))
    }

    @Test func valuesThatDoNotFillTheirShapeTrap() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(TensorValue(shape: [2, 2], scalars: [1.0, 2, 3]))
        }
        #expect(Self.trapMessage(result).contains("TensorValue: 3 scalars cannot fill shape [2, 2]"))
    }

    @Test func aScalarJVPWithMismatchedDirectionsTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = jvp(at: [1.0, 2.0], along: [1.0]) { $0 }
        }
        #expect(Self.trapMessage(result).contains("jvp: a point of 2 inputs and a direction of 1"))
    }

    @Test func itemOfManyElementsTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones(2, 3).item()
        }
        #expect(Self.trapMessage(result).contains("only a one-element tensor"))
    }

    @Test func raggedLiteralTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([[1, 2], [3]])
        }
        #expect(Self.trapMessage(result).contains("ragged nested array"))
    }

    @Test func switchingOffRequiresGradOnANonLeafTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let y = Tensor.ones(2, requiresGrad: true) * 2
            y.requiresGrad = false
        }
        #expect(Self.trapMessage(result).contains("use detach()"))
    }

    /// PyTorch refuses a `.grad` of another shape; a backward pass would
    /// otherwise broadcast it ([3] + [3, 1] is [3, 3]).
    @Test func assigningAGradOfAnotherShapeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones(3, requiresGrad: true)
            x.grad = Tensor.ones(3, 1)
        }
        #expect(Self.trapMessage(result).contains("grad: the gradient assigned has shape [3, 1], but the tensor has shape [3]"))
        let x = Tensor.ones(3, requiresGrad: true)
        x.grad = Tensor.zeros(3)
        #expect(x.grad?.scalars == [0, 0, 0])
    }

    @Test func aShapeWithMoreElementsThanAnIntCanCountTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(1 << 40, 1 << 40)
        }
        #expect(Self.trapMessage(result).contains("Shape: [1099511627776, 1099511627776] has more elements than an Int can count"))
        #expect(Shape([1 << 40, 1 << 40, 0]).elementCount == 0)
    }
}
