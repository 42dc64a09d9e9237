import Foundation
import Testing

/// `autograd judge` as a user runs it, on the committed PyTorch documents.
@Suite struct JudgeCommandTests {
    /// The path of a committed PyTorch document.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/pytorch/\(name).json").standardized.path
    }

    @Test func pytorchsTanhFailsWithTheElementsBeyondTheirBound() throws {
        let result = try AutogradToolTests.run(["judge", Self.fixture("tanh")])
        #expect(result.status == 1, "\(result.errors)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("x [12]  torch 2.") && $0.hasSuffix("6 FAIL") })
        #expect(lines.contains { $0.hasPrefix("  x[7] = 5.0: got 0.00018158323094385266, true 0.0001815832309438067, 1.7e+03 ulp") && $0.hasSuffix("; TanhBackward") })
        #expect(lines.last == "FAILED: elements beyond their bounds")
        #expect(!lines.contains { $0.contains("reverse") }, "no strategy unless asked for")
    }

    @Test func aBackendIsJudgedBesideTheDocumentsGradients() throws {
        let one = try AutogradToolTests.run(["judge", Self.fixture("lesson"), "--backend", "forward"])
        #expect(one.status == 0, "\(one.errors)")
        #expect(one.output.contains("predicted [3, 8]  torch 2.") && one.output.contains("predicted [3, 8]  forward       24        24     0"))
        #expect(one.output.hasSuffix("every element within its bound\n"))
        let all = try AutogradToolTests.run(["judge", Self.fixture("mlp"), "--all-backends"])
        #expect(all.status == 0)
        for backend in ["forward", "reverse", "exact", "compiled"] { #expect(all.output.contains("b [5]     \(backend)"), "\(backend)") }
    }

    @Test func aDocumentWithoutGradientsJudgesTheConfiguredBackend() throws {
        let document = """
            {"format": "autograd-graph", "version": 1,
             "inputs": [{"name": "x", "shape": [2], "values": ["0x1.4p+2", "-0x1p-1"]}],
             "nodes": [{"name": "t", "op": "tanh", "args": ["x"]}, {"name": "s", "op": "sum", "args": ["t"]}], "output": "s"}
            """
        let result = try AutogradToolTests.run(["judge", "plain.json"], files: ["plain.json": document])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("x [2]  reverse  2"))
    }

    @Test func jsonHasAVerdictPerInputAndSource() throws {
        let result = try AutogradToolTests.run(["judge", Self.fixture("sigmoid"), Self.fixture("lesson"), "--format", "json"])
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(report["passed"] as? Bool == false)
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.count == 2)
        let sigmoid = try #require(files[0]["report"] as? [String: Any])
        let source = try #require(((sigmoid["inputs"] as? [[String: Any]])?.first?["sources"] as? [[String: Any]])?.first)
        #expect(Set(source.keys) == ["source", "dtype", "elements", "correctly_rounded", "unresolved", "median_ulp", "p99_ulp", "max_ulp",
                                     "beyond_bound", "beyond_bound_count", "passed", "first_wrong_node"])
        #expect(source["first_wrong_node"] as? String == "sigmoid0")
        #expect((sigmoid["nodes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["sigmoid0", "sum0"])
        let worst = try #require((source["beyond_bound"] as? [[String: Any]])?.first)
        #expect(worst["index"] as? [Int] == [10] && worst["input"] as? Double == 40 && worst["computed"] as? Double == 0)
        #expect(worst["operation"] as? String == "SigmoidBackward")
        #expect((files[1]["report"] as? [String: Any])?["passed"] as? Bool == true)
    }

    @Test func aMalformedOrMissingFileExitsWith2NamingThePlace() throws {
        let broken = try String(contentsOfFile: Self.fixture("tanh"), encoding: .utf8)
            .replacingOccurrences(of: "\"op\": \"tanh\"", with: "\"op\": \"arctanh\"")
        let result = try AutogradToolTests.run(["judge", "broken.json", Self.fixture("lesson"), "missing.json"], files: ["broken.json": broken])
        #expect(result.status == 2)
        let errors = result.errors.split(separator: "\n").map(String.init)
        #expect(errors.count == 2)
        #expect(errors.first?.hasPrefix("error: broken.json: $.nodes[0].op: expected one of the format's ops (add, sub") == true)
        #expect(errors.last == "error: missing.json: $: expected a readable file, got none at missing.json")
        #expect(result.output.contains("predicted [3, 8]"), "the readable file is still judged")
    }
}
