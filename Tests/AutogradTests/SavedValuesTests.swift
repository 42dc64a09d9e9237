import Autograd
import Testing

/// x³ whose reverse rule, `3·y/x · g`, reads the output, declared honestly
/// or (`wrong`) as reading only the input.
struct CubeFromOutput: ElementwiseOperation {
    var name: String { "CubeFromOutput" }
    func apply<S: FieldScalar>(_ x: S) -> S { x * x * x }
    func derivative<S: FieldScalar>(at x: S, output: S) -> S { 3 * (output / x) }
}

/// The same op, declaring that its rule reads only the input: the tape then
/// keeps only x and hands it to the rule in place of the output.
struct CubeDeclaredWrong: ElementwiseOperation {
    static var reverseRuleReads: ReverseRuleReads { .input }
    var name: String { "CubeDeclaredWrong" }
    func apply<S: FieldScalar>(_ x: S) -> S { x * x * x }
    func derivative<S: FieldScalar>(at x: S, output: S) -> S { 3 * (output / x) }
}

/// x³ whose rule, `3x² · g`, reads only the input, and says so.
struct CubeFromInput: ElementwiseOperation {
    static var reverseRuleReads: ReverseRuleReads { .input }
    var name: String { "CubeFromInput" }
    func apply<S: FieldScalar>(_ x: S) -> S { x * x * x }
    func derivative<S: FieldScalar>(at x: S, output: S) -> S { 3 * x * x }
}

/// The recorded graph keeps only the values an op's reverse rule reads
/// (``ReverseRuleReads``, ``ShapeOnlyReverseRule``): gradients are the same
/// in every strategy, and a declaration that leaves out a value the rule
/// reads is caught by the cross-check, whose reference uses no rule.
@Suite struct SavedValuesTests {
    static let x = Tensor([0.5, -1.25, 2, 3])

    /// A built-in op keeping only its input (pow), its output (exp), or
    /// nothing (sum, mean): every strategy, and `backward()`, agree.
    @Test func opsThatKeepLessGiveTheSameGradients() throws {
        let x = Tensor(Self.x.scalars, requiresGrad: true)
        let loss = (x.pow(3).exp().sum(dim: 0) + x.relu().mean() + (x * 2).abs().sum()).sum()
        let reverse = try ReverseMode().gradient(of: loss, withRespectTo: [x])[0]
        let forward = try ForwardMode().gradient(of: loss, withRespectTo: [x])[0]
        let exact = try ExactMode().gradient(of: loss, withRespectTo: [x])
        for (r, e) in zip(reverse.scalars, exact.tensors[0].scalars) { #expect(abs(r - e) <= 4 * e.ulp) }
        #expect(forward.scalars.map(\.bitPattern) == reverse.scalars.map(\.bitPattern))
        try loss.backward()
        #expect(x.grad?.scalars.map(\.bitPattern) == reverse.scalars.map(\.bitPattern))
        // Forward mode recomputes the outputs the graph did not keep.
        #expect(try ForwardMode().gradient(of: loss, withRespectTo: [x])[0].scalars.map(\.bitPattern) == reverse.scalars.map(\.bitPattern))
    }

    /// A custom op may declare what its rule reads; an honest declaration
    /// passes the cross-check, a wrong one fails the reverse strategy (the
    /// tape's) alone.
    @Test func aWrongDeclarationFailsTheCrossCheckOnTheTape() throws {
        for (name, apply) in [
            ("from output", { (t: Tensor) in t.applying(CubeFromOutput()) }),
            ("from input", { (t: Tensor) in t.applying(CubeFromInput()) }),
        ] as [(String, (Tensor) -> Tensor)] {
            let results = try GradientCheck.check(name, inputs: [Self.x]) { apply($0[0]).sum() }
            #expect(results.allSatisfy { $0.passed }, "\(name)")
        }
        let results = try GradientCheck.check("declared wrong", inputs: [Self.x]) { $0[0].applying(CubeDeclaredWrong()).sum() }
        #expect(results.first { $0.strategy == "reverse" }?.passed == false)
        #expect(results.first { $0.strategy == "forward" }?.passed == true)
    }
}
