import Foundation
import Testing

/// The built `autograd` command, run as a user runs it.
@Suite struct AutogradToolTests {
    /// The `autograd` executable, built beside the test bundle.
    static var executable: URL {
        let tests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = tests.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("autograd").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("autograd")
    }

    /// Runs the tool with `arguments` (and `environment`, when given); returns
    /// its exit status and output.
    static func run(
        _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    @Test func theLessonIsTheDefaultCommandAndEndsInAgreement() throws {
        let plain = try Self.run(["--seed", "5"])
        let explicit = try Self.run(["lesson", "--seed", "5"])
        #expect(plain.status == 0)
        #expect(plain.output == explicit.output)
        #expect(plain.output.contains("let loss = (predicted - real).pow(2).sum()"))
        #expect(plain.output.contains("gradFn: SumBackward"))
        #expect(plain.output.contains("print(forward.eq(auto).all())\n\ntensor("))
        #expect(plain.output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("true"))
        #expect(plain.output.contains("[2., 2., 2., 2., 2., 2., 2., 2.]])"))
    }

    @Test func theSeedChangesTheTensors() throws {
        #expect(try Self.run(["--seed", "1"]).output != Self.run(["--seed", "2"]).output)
        #expect(try Self.run(["--seed", "1"]).output == Self.run(["--seed", "1"]).output)
    }

    @Test func checkPrintsATableAndPasses() throws {
        let result = try Self.run(["check"])
        #expect(result.status == 0)
        #expect(result.output.contains("function") && result.output.contains("max ulp"))
        #expect(result.output.contains("lesson_loss  forward   0"))
        #expect(result.output.hasSuffix("checks passed\n"))
    }

    @Test func checkPrintsJSONWithTheDocumentedKeys() throws {
        let result = try Self.run(["check", "--format", "json", "--seed", "4"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let results = try #require(object?["results"] as? [[String: Any]])
        #expect(results.count == 42)
        for entry in results {
            for key in ["function", "strategy", "max_ulp", "reference", "passed"] { #expect(entry[key] != nil, "\(key)") }
        }
        let lesson = results.filter { $0["function"] as? String == "lesson_loss" }
        #expect(lesson.map { $0["strategy"] as? String } == ["forward", "reverse"])
        #expect(lesson.allSatisfy { ($0["max_ulp"] as? Double) == 0 && ($0["reference"] as? String) == "exact" })
    }

    @Test func checkRejectsBadOptions() throws {
        let result = try Self.run(["check", "--size", "0"])
        #expect(result.status == 64 && result.errors.contains("--size must be positive"))
        let format = try Self.run(["check", "--format", "xml"])
        #expect(format.status == 64 && format.errors.contains("--format"))
    }

    @Test func graphPrintsTheLessonsGraphInDOT() throws {
        let result = try Self.run(["graph", "--seed", "3"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("digraph autograd {"))
        #expect(result.output.contains("SubBackward") && result.output.contains("predicted") && result.output.contains("-> op2;"))
    }

    @Test func graphWritesDOTOrSVGFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autograd-graph-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dotFile = directory.appendingPathComponent("lesson.dot").path
        #expect(try Self.run(["graph", "--output", dotFile]).status == 0)
        #expect(try String(contentsOfFile: dotFile, encoding: .utf8).hasPrefix("digraph autograd {"))

        // Without Graphviz on the PATH, SVG is a clear error, not a crash.
        let svgFile = directory.appendingPathComponent("lesson.svg").path
        let missing = try Self.run(["graph", "--output", svgFile], environment: ["PATH": directory.path])
        #expect(missing.status == 1 && missing.errors.contains("Graphviz's dot is not installed"))
        #expect(!FileManager.default.fileExists(atPath: svgFile))

        // With Graphviz installed, it renders.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/dot") {
            #expect(try Self.run(["graph", "--output", svgFile]).status == 0)
            #expect(try String(contentsOfFile: svgFile, encoding: .utf8).contains("<svg"))
        }
    }

    @Test func aMalformedSeedIsAUsageError() throws {
        let result = try Self.run(["--seed", "abc"])
        #expect(result.status == 64)
        #expect(result.errors.contains("--seed"))
    }
}
