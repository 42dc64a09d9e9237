import Autograd
import Testing

/// log1p, expm1 and softplus: accurate where the textbook formulas cancel or
/// overflow, and differentiated alike by every strategy.
@Suite struct SmoothOperationTests {
    @Test func valuesKeepTheirDigitsWhereTheTextbookFormulasLoseThem() {
        #expect(Tensor([1e-20]).log1p().item() == 1e-20)
        #expect(Tensor([1e-20]).expm1().item() == 1e-20)
        #expect(Tensor([-40.0]).expm1().item() == -1)
        let softplus = Tensor([-800.0, -1, 0, 1, 800]).softplus().scalars
        #expect(softplus[0] == 0 && softplus[4] == 800)
        #expect(softplus[2] == Tensor([2.0]).log().item())
        #expect(Swift.abs(softplus[1] - 0.31326168751822286) <= 1e-16)
        #expect(Swift.abs(softplus[3] - 1.3132616875182228) <= 2e-16)
    }

    @Test(arguments: ["log1p", "expm1", "softplus"])
    func everyStrategyGivesTheCorrectlyRoundedGradient(_ name: String) throws {
        let values: [Double] = name == "log1p" ? [-0.75, 1e-20, 3, 1e300] : [-800, -30, 1e-20, 2, 700]
        let x = Tensor(values, requiresGrad: true)
        func function(_ x: Tensor) -> Tensor {
            switch name {
            case "log1p": x.log1p()
            case "expm1": x.expm1()
            default: x.softplus()
            }
        }
        let loss = function(x).sum()
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        #expect(exact.elementStatuses[0].allSatisfy { if case .unresolved = $0 { false } else { true } })
        for strategy in [ReverseMode(), ForwardMode()] as [any Differentiable] {
            let gradient = try strategy.gradient(of: loss, withRespectTo: [x]).tensors[0].scalars
            for (computed, truth) in zip(gradient, exact.tensors[0].scalars) {
                #expect(computed.isFinite && Swift.abs(computed - truth) <= 2 * truth.ulp, "\(strategy.name) \(name)")
            }
        }
    }

    @Test func theCheckCoversTheNewOpsOverTheirDomains() throws {
        let results = try GradientCheck.run(seed: 3).filter {
            ["log1p", "log1p_negative", "expm1", "expm1_near_0", "softplus"].contains($0.function)
        }
        #expect(results.count == 5 * 2)
        for result in results { #expect(result.passed, "\(result.function) \(result.strategy)") }
    }
}
