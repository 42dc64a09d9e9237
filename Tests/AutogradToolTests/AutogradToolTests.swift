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

    /// This process's environment without `AUTOGRAD_*` variables.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.uppercased().hasPrefix("AUTOGRAD_") }
    }

    /// Calls `body` with a fresh directory holding `files` (names and
    /// texts; none for an empty one, where no configuration file is found),
    /// and removes the directory afterwards, whatever `body` does.
    static func withDirectory<T>(_ files: [String: String] = [:], _ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autograd-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try body(directory)
    }

    /// Runs the tool with `arguments` in `directory` (a fresh empty one,
    /// removed afterwards, unless given), with `environment` (this one without
    /// `AUTOGRAD_*` variables unless given); returns its exit status and output.
    static func run(
        _ arguments: [String], environment: [String: String] = cleanEnvironment, in directory: URL? = nil
    ) throws -> (status: Int32, output: String, errors: String) {
        guard let directory else { return try run(arguments, environment: environment, files: [:]) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    /// Runs the tool with `arguments` in a fresh directory holding `files`
    /// (names and texts), removed afterwards.
    static func run(
        _ arguments: [String], environment: [String: String] = cleanEnvironment, files: [String: String]
    ) throws -> (status: Int32, output: String, errors: String) {
        try withDirectory(files) { try run(arguments, environment: environment, in: $0) }
    }

    @Test func trainLearnsTheMoonsAndChecksTheLastGradient() throws {
        let result = try Self.run(["train", "--steps", "60"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("gradients: backend reverse (from default); seed 0"))
        // Not a terminal: plain lines at steps 1, 25, 50 and the last.
        #expect(result.output.contains("step 1/60  loss ") && result.output.contains("step 50/60  loss ") && result.output.contains("step 60/60  loss "))
        #expect(!result.output.contains("\r"))
        #expect(result.output.contains("moons_classifier  forward") && result.output.hasSuffix("all 2 checks passed\n"))
        let json = try Self.run(["train", "--steps", "5", "--backend", "exact", "--format", "json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let report = try #require(object?["result"] as? [String: Any])
        #expect((report["progress"] as? [Any])?.count == 5 && (report["finalCheck"] as? [Any])?.count == 2)
        #expect((object?["backend"] as? [String: Any])?["value"] as? String == "exact" && object?["passed"] as? Bool == true)
        let bad = try Self.run(["train", "--steps", "0"])
        #expect(bad.status == 2 && bad.errors.contains("error: --steps must be from 1 to 100000, got 0"))
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
        #expect(result.output.hasPrefix("checking backend reverse (from default)"))
        #expect(Self.row("lesson_loss", "reverse", in: result.output)?.split(separator: " ").dropFirst(2).first == "0")
        #expect(result.output.hasSuffix("all 35 checks passed\n"))
    }

    @Test func checkCoversEveryBackendOnRequest() throws {
        let result = try Self.run(["check", "--all-backends"])
        #expect(result.status == 0)
        for backend in ["forward", "reverse", "exact", "compiled"] { #expect(Self.row("lesson_loss", backend, in: result.output) != nil) }
        #expect(result.output.hasSuffix("all 140 checks passed\n"))
    }

    /// The table row of `function` and `strategy`, if the output has one.
    static func row(_ function: String, _ strategy: String, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first {
            let cells = $0.split(separator: " ")
            return cells.count > 2 && cells[0] == function && cells[1] == strategy
        }
    }

    @Test func checkFailsWithStatus1WhenAGradientIsOutsideTheBound() throws {
        // No float strategy gets tanh to 0 ulp: the bound, capped at 0, fails.
        let result = try Self.run(["check", "--ulps", "0"])
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL") && result.output.contains("checks FAILED"))
        let environment = try Self.run(["check"], environment: Self.cleanEnvironment.merging(["AUTOGRAD_CHECK_ULPS": "0"]) { $1 })
        #expect(environment.status == 1)
    }

    @Test func checkPrintsJSONWithTheDocumentedKeys() throws {
        let result = try Self.run(["check", "--format", "json", "--seed", "4"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let results = try #require(object?["results"] as? [[String: Any]])
        #expect(results.count == 35)
        #expect((object?["maximum_precision"] as? [String: Any])?["value"] as? Int == 4096)
        let worst = try #require(results.first?["worst"] as? [String: Any])
        #expect(Set(worst.keys).isSuperset(of: ["input", "element", "computed", "truth", "error_ulp", "error", "bound", "operation"]))
        #expect((object?["seed"] as? [String: Any])?["value"] as? Int == 4)
        #expect((object?["seed"] as? [String: Any])?["source"] as? String == "flag")
        #expect((object?["backend"] as? [String: Any])?["source"] as? String == "default")
        for entry in results {
            for key in ["function", "strategy", "max_ulp", "reference", "passed"] { #expect(entry[key] != nil, "\(key)") }
        }
        let lesson = results.filter { $0["function"] as? String == "lesson_loss" }
        #expect(lesson.map { $0["strategy"] as? String } == ["reverse"])
        #expect(lesson.allSatisfy { ($0["max_ulp"] as? Double) == 0 && ($0["reference"] as? String) == "exact" })
    }

    @Test func checkRejectsBadOptions() throws {
        let result = try Self.run(["check", "--size", "0"])
        #expect(result.status == 2 && result.errors.hasPrefix("error: --size must be a positive integer of at most 1000000, got 0"))
        let format = try Self.run(["check", "--format", "xml"])
        #expect(format.status == 2 && format.errors.hasPrefix("error: the value 'xml' is invalid for '--format <format>'"))
    }

    /// `-1` is the option's value, not an unknown flag: the message names the
    /// option and its valid range (it was "Missing value for '--seed <n>'").
    @Test(arguments: [
        (["--seed", "-1"], #"error: invalid value "-1" for autograd.seed (from flag --seed): expected an integer from 0 to 18446744073709551615"#),
        (["check", "--size", "-1"], "error: --size must be a positive integer of at most 1000000, got -1"),
        (["check", "--ulps", "-1"], #"error: invalid value "-1" for autograd.check.ulps (from flag --ulps): expected a finite number of ULPs, 0 or more"#),
        (["check", "--precision", "-1"], #"error: invalid value "-1" for autograd.exact.precision (from flag --precision): expected an integer number of bits from 53 to 65536"#),
        (["check", "--size", "2000000"], "error: --size must be a positive integer of at most 1000000, got 2000000"),
        (["check", "--size", "\(Int.max)"], "error: --size must be a positive integer of at most 1000000, got \(Int.max)"),
    ])
    func negativeAndOutOfRangeNumbersNameTheOptionAndItsRange(_ arguments: [String], _ message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.errors.hasPrefix(message), "\(result.errors)")
        #expect(!result.errors.contains("Missing value") && result.errors.split(separator: "\n").count == 1 && result.output.isEmpty)
    }

    /// One convention for every error: one line on standard error starting
    /// `error: `; status 2 for bad usage or configuration, 1 for a failure while
    /// running; help on standard output with status 0.
    @Test func everyErrorIsOneLineStartingWithErrorAndItsStatusSaysWhichKind() throws {
        let usage: [[String]] = [["--bogus"], ["check", "--format", "xml"], ["check", "--size", "abc"], ["check", "--seed"], ["graph", "extra"]]
        for arguments in usage {
            let result = try Self.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errors.hasPrefix("error: ") && result.errors.split(separator: "\n").count == 1, "\(arguments): \(result.errors)")
            #expect(!result.errors.contains("Error:") && !result.errors.contains("Usage:"), "\(arguments): \(result.errors)")
        }
        #expect(try Self.run(["--bogus"]).errors == "error: unknown option '--bogus' (see 'autograd lesson --help')\n")

        let help = try Self.run(["check", "--help"])
        #expect(help.status == 0 && help.errors.isEmpty && help.output.contains("--size <n>"))
        #expect(help.output.contains("Elements per input, from 1 to 1000000"))

        // A failure while running: status 1, the same one line.
        let failed = try Self.run(["check", "--ulps", "0"])
        #expect(failed.status == 1 && failed.errors.isEmpty)
    }

    /// A size far beyond the default runs in time and memory linear in it
    /// (the matmul was a (size/8)² product), and passes: sum's and mean's
    /// 1-ulp bounds no longer take in the rounding of a sum over size/8 weights.
    @Test func checkAtALargerSizePasses() throws {
        let result = try Self.run(["check", "--size", "2000", "--format", "json"])
        #expect(result.status == 0, "\(result.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(object?["passed"] as? Bool == true)
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
        let missing = try Self.run(["graph", "--output", svgFile], environment: ["PATH": directory.path], in: directory)
        #expect(missing.status == 1 && missing.errors.contains("Graphviz's dot is not installed"))
        #expect(!FileManager.default.fileExists(atPath: svgFile))

        // With Graphviz installed, it renders.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/dot") {
            #expect(try Self.run(["graph", "--output", svgFile]).status == 0)
            #expect(try String(contentsOfFile: svgFile, encoding: .utf8).contains("<svg"))
        }
    }

    /// A file that cannot be written is one line naming the path and the
    /// reason, not Foundation's dump of an `NSCocoaErrorDomain` error.
    @Test func graphSaysWhyAFileCannotBeWritten() throws {
        let missing = try Self.run(["graph", "--output", "/nonexistent/x.dot"])
        #expect(missing.status == 1)
        #expect(missing.errors == "error: cannot write /nonexistent/x.dot: no such directory /nonexistent\n")
        let svg = try Self.run(["graph", "--output", "/nonexistent/x.svg"])
        #expect(svg.status == 1 && svg.errors == "error: cannot write /nonexistent/x.svg: no such directory /nonexistent\n")
        try Self.withDirectory { directory in
            let result = try Self.run(["graph", "--output", directory.path])
            #expect(result.status == 1 && result.errors == "error: cannot write \(directory.path): it is a directory\n")
            let file = directory.appendingPathComponent("file").path
            try "".write(toFile: file, atomically: true, encoding: .utf8)
            let notADirectory = try Self.run(["graph", "--output", file + "/x.dot"])
            #expect(notADirectory.status == 1 && notADirectory.errors == "error: cannot write \(file)/x.dot: \(file) is not a directory\n")
        }
    }

    @Test func graphPrintsJSONNodesAndEdges() throws {
        let result = try Self.run(["graph", "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.compactMap { $0["label"] as? String } == ["predicted", "real", "SubBackward", "PowBackward", "SumBackward"])
        #expect((object["edges"] as? [[String: String]])?.count == 4)
        #expect(object["result"] as? String == "op2")
    }
}

/// The configuration as the tool reads it: flags, environment, file, defaults,
/// and bad configuration ending in status 2.
@Suite struct AutogradToolConfigurationTests {
    static func environment(_ variables: [String: String]) -> [String: String] {
        AutogradToolTests.cleanEnvironment.merging(variables) { $1 }
    }

    @Test func theLessonSaysWhichBackendAndWhereTheChoiceCameFrom() throws {
        let plain = try AutogradToolTests.run([])
        #expect(plain.output.hasPrefix("backend: reverse (from default)\nseed: 0 (from default)\n"))
        #expect(plain.output.contains("The configured backend: reverse, from default"))
        #expect(plain.output.hasSuffix("reverse true\n\n"))

        let flag = try AutogradToolTests.run(["--backend", "forward"])
        #expect(flag.output.hasPrefix("backend: forward (from flag --backend)"))
        #expect(flag.output.hasSuffix("forward true\n\n"))

        let environment = try AutogradToolTests.run([], environment: Self.environment(["AUTOGRAD_BACKEND": "exact"]))
        #expect(environment.output.hasPrefix("backend: exact (from environment variable AUTOGRAD_BACKEND)"))
        #expect(environment.output.hasSuffix("exact true\n\n"))

        let file = try AutogradToolTests.run([], files: ["autograd.yaml": "autograd:\n  backend: forward\n  seed: 5\n"])
        #expect(file.output.hasPrefix("backend: forward (from file autograd.yaml)\nseed: 5 (from file autograd.yaml)"))
        #expect(file.output.contains("Tensor.manualSeed(5)"))
    }

    @Test func backendsMarksTheActiveOneWithItsSource() throws {
        let runs: [([String], [String: String], String)] = [
            ([], ["AUTOGRAD_BACKEND": "exact"], "(active, from environment variable AUTOGRAD_BACKEND)"),
            (["--backend", "reverse"], ["AUTOGRAD_BACKEND": "exact"], "(active, from flag --backend)"),
        ]
        try AutogradToolTests.withDirectory(["autograd.json": #"{"autograd": {"backend": "forward"}}"#]) { directory in
            let fromFile = try AutogradToolTests.run(["backends"], in: directory)
            #expect(fromFile.status == 0)
            #expect(fromFile.output.contains("* forward   forward mode") && fromFile.output.contains("(active, from file autograd.json)"))
            #expect(fromFile.output.contains("configuration file: autograd.json"))
            for (arguments, variables, marker) in runs {
                let result = try AutogradToolTests.run(["backends"] + arguments, environment: Self.environment(variables), in: directory)
                #expect(result.status == 0)
                #expect(result.output.contains(marker), "\(result.output)")
            }
        }
        let defaults = try AutogradToolTests.run(["backends"])
        #expect(defaults.output.hasPrefix("  forward   forward mode: the ops' forward rules, 8 directions per pass\n* reverse"))
        #expect(defaults.output.contains("(active, from default)") && defaults.output.contains("configuration file: none"))
    }

    @Test func backendsPrintsJSON() throws {
        let result = try AutogradToolTests.run(["backends", "--format", "json", "--precision", "300"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let backends = try #require(object["backends"] as? [[String: Any]])
        #expect(backends.map { $0["name"] as? String } == ["forward", "reverse", "exact", "compiled"])
        #expect(backends.map { $0["active"] as? Bool } == [false, true, false, false])
        #expect((object["active"] as? [String: Any])?["source"] as? String == "default")
        #expect((object["precision"] as? [String: Any])?["value"] as? Int == 300)
        let threads = try AutogradToolTests.run(["backends", "--format", "json", "--threads", "3"])
        let threadsObject = try #require(try JSONSerialization.jsonObject(with: Data(threads.output.utf8)) as? [String: Any])
        #expect((threadsObject["threads"] as? [String: Any])?["value"] as? Int == 3)
        let badThreads = try AutogradToolTests.run(["backends", "--threads", "0"])
        #expect(badThreads.status == 2 && badThreads.errors.contains("invalid value \"0\" for autograd.threads (from flag --threads)"))
        #expect((object["precision"] as? [String: Any])?["origin"] as? String == "--precision")
        #expect(object["matrix_products"] as? String == "OpenBLAS cblas_dgemm")
        #expect((object["tanh"] as? String)?.hasPrefix("C loops, ") == true)
    }

    @Test func theLessonPrintsJSON() throws {
        let result = try AutogradToolTests.run(["--format", "json"], environment: Self.environment(["AUTOGRAD_SEED": "3"]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((object["seed"] as? [String: Any])?["origin"] as? String == "AUTOGRAD_SEED")
        let steps = try #require(object["steps"] as? [[String: String]])
        #expect(steps.first?["code"] == "Tensor.manualSeed(3)")
        #expect(steps.last?["output"] == "reverse true")
    }

    @Test func badConfigurationExitsWithStatus2AndAClearError() throws {
        let malformedJSON = ["autograd.json": "{\"autograd\": {\n  \"backend\": \"exact\",\n  \"seed\": ,\n}}"]
        // Foundation gives no place for an unexpected end of file: it is after the last character.
        let truncatedJSON = ["autograd.json": "{\"autograd\": {\"backend\": \"exact\",\n  \"seed\": \n\n"]
        let hugeNumberJSON = ["autograd.json": "{\"autograd\": {\n  \"seed\": 1e999}}"]
        let cases: [([String], [String: String], [String: String], String)] = [
            (["--backend", "revers"], [:], [:],
             #"error: unknown backend "revers" (from flag --backend); valid backends: forward, reverse, exact"#),
            (["backends"], ["AUTOGRAD_BACKEND": "gpu"], [:],
             #"error: unknown backend "gpu" (from environment variable AUTOGRAD_BACKEND); valid backends: forward, reverse, exact"#),
            (["check", "--precision", "abc"], [:], [:],
             #"error: invalid value "abc" for autograd.exact.precision (from flag --precision): expected an integer number of bits from 53 to 65536"#),
            (["graph"], ["AUTOGRAD_EXACT_PRECISION": "-5"], [:],
             "error: invalid value -5 for autograd.exact.precision (from environment variable AUTOGRAD_EXACT_PRECISION)"),
            (["--seed", "abc"], [:], [:],
             #"error: invalid value "abc" for autograd.seed (from flag --seed): expected an integer from 0 to 18446744073709551615"#),
            (["check", "--ulps", "many"], [:], [:],
             #"error: invalid value "many" for autograd.check.ulps (from flag --ulps)"#),
            (["--config", "absent.yaml"], [:], [:],
             "error: configuration file absent.yaml does not exist"),
            (["lesson"], [:], malformedJSON, "error: malformed configuration file autograd.json, line 3, column 11: Invalid value"),
            (["lesson"], [:], truncatedJSON,
             "error: malformed configuration file autograd.json, line 2, column 10: Unexpected end of file during JSON parse\n"),
            (["backends"], [:], hugeNumberJSON,
             "error: malformed configuration file autograd.json, line 2, column 11: Number 1e999 is not representable in Swift\n"),
        ]
        for (arguments, variables, files, message) in cases {
            let result = try AutogradToolTests.run(arguments, environment: Self.environment(variables), files: files)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errors.hasPrefix(message), "\(arguments): \(result.errors)")
            #expect(result.output.isEmpty && !result.errors.contains("Stack") && result.errors.split(separator: "\n").count == 1)
        }
        let unknownKey = try AutogradToolTests.run(["check"], files: ["autograd.json": #"{"autograd": {"backnd": "exact"}}"#])
        #expect(unknownKey.status == 2)
        #expect(unknownKey.errors.hasPrefix("error: unknown key autograd.backnd in configuration file autograd.json; known keys: autograd.backend,"))

        let malformedYAML = try AutogradToolTests.run(["backends"], files: ["autograd.yaml": "autograd:\n  backend: exact\n   seed: [\n"])
        #expect(malformedYAML.status == 2)
        #expect(malformedYAML.errors.hasPrefix("error: malformed configuration file autograd.yaml, line 3, column 8: scanner: mapping values are not allowed in this context"))
    }
}
