import Autograd
import Testing

/// where and the comparisons: values, broadcasting, and the gradient going
/// to the operand chosen in every strategy.
@Suite struct WhereTests {
    @Test func comparisonsAndWhereChooseElementByElement() {
        let x = Tensor([-2.0, 0, 3])
        #expect(x.gt(0).value.scalars == [false, false, true] && x.ge(0).value.scalars == [false, true, true])
        #expect(x.lt(Tensor([0.0])).value.scalars == [true, false, false] && x.le(0).value.scalars == [true, true, false])
        #expect(x.ne(Tensor([0.0, 0, 3])).value.scalars == [true, false, false])
        #expect(Tensor.where(x.gt(0), x, x * 0.5).scalars == [-1, 0, 3])
        // The condition broadcasts with the operands: a column of choices.
        let condition = Tensor([[1.0], [0]]).gt(0.5)
        #expect(Tensor.where(condition, Tensor([1.0, 2]), Tensor(0.0)).scalars == [1, 2, 0, 0])
    }

    @Test func theGradientGoesToTheOperandChosen() throws {
        let x = Tensor([-2.0, 0.5, 3], requiresGrad: true)
        let y = Tensor([10.0], requiresGrad: true)
        let loss = (Tensor.where(x.gt(0), x * x, y) * Tensor([1.0, 2, 3])).sum()
        for strategy in [ReverseMode(), ForwardMode(), ExactMode()] as [any Differentiable] {
            let gradient = try strategy.gradient(of: loss, withRespectTo: [x, y]).tensors
            let expectedX: [Double] = [0, 2, 18]     // 2x · weight where chosen
            #expect(gradient[0].scalars == expectedX && gradient[1].scalars == [1], "\(strategy.name)")
        }
        #expect(try OpValidation.validate(Where(condition: Tensor([1.0, -1, 1, -1]).gt(0).value), shapes: ([4], [4])).passed)
    }

    @Test func aConditionThatDoesNotBroadcastTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.where(Tensor.zeros(3).gt(0), Tensor.zeros(2), Tensor.zeros(2))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("where: the condition [3] and operands [2] and [2] cannot be broadcast together"))
    }
}
