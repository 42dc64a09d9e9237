import Autograd
import Configuration
import Foundation
import Testing

/// A fresh directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("autograd-config-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Writes `text` to `name` in `directory`; returns the path.
@discardableResult
func write(_ text: String, to name: String, in directory: String) throws -> String {
    let path = (directory as NSString).appendingPathComponent(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The error that `body` throws, if any. (Typed throws all the way: Swift 6.3
/// lost the error, or crashed, converting such closures to untyped `throws`.)
func configurationError<T>(_ body: @autoclosure () throws(ConfigurationError) -> T) -> ConfigurationError? {
    do { _ = try body() } catch { return error }
    return nil
}

/// Where configuration comes from, in which order, and what it gives.
@Suite struct ConfigurationPrecedenceTests {
    @Test func withNothingSetEveryKeyHasItsDefault() throws {
        try withTemporaryDirectory { directory in
            let configuration = try AutogradConfiguration.load(directory: directory, environment: [:])
            #expect(configuration.backend.value == "reverse" && configuration.backend.source == .defaultValue)
            #expect(configuration.exactPrecision.value == 256 && configuration.exactPrecision.source == .defaultValue)
            #expect(configuration.seed.value == 0 && configuration.checkULPs.value == 4)
            #expect(configuration.file == nil)
            #expect(try configuration.strategy().name == "reverse")
        }
    }

    @Test func eachSourceOverridesTheNext() throws {
        try withTemporaryDirectory { directory in
            let file = try write(
                #"{"autograd": {"backend": "forward", "seed": 11, "exact": {"precision": 300}, "check": {"ulps": 2.5}}}"#,
                to: "autograd.json", in: directory)
            // The file over the defaults.
            var configuration = try AutogradConfiguration.load(directory: directory, environment: [:])
            #expect(configuration.backend.value == "forward" && configuration.backend.source == .file(file))
            #expect(configuration.seed.value == 11 && configuration.exactPrecision.value == 300 && configuration.checkULPs.value == 2.5)
            #expect(configuration.file == file)

            // The environment over the file.
            let environment = ["AUTOGRAD_BACKEND": "exact", "AUTOGRAD_SEED": "12"]
            configuration = try AutogradConfiguration.load(directory: directory, environment: environment)
            #expect(configuration.backend.value == "exact" && configuration.backend.source == .environment("AUTOGRAD_BACKEND"))
            #expect(configuration.seed.value == 12 && configuration.seed.source == .environment("AUTOGRAD_SEED"))
            #expect(configuration.exactPrecision.value == 300 && configuration.exactPrecision.source == .file(file))

            // Flags over the environment.
            configuration = try AutogradConfiguration.load(
                flags: [.backend: "reverse", .exactPrecision: "512"], directory: directory, environment: environment)
            #expect(configuration.backend.value == "reverse" && configuration.backend.source == .flag("--backend"))
            #expect(configuration.exactPrecision.value == 512 && configuration.exactPrecision.source == .flag("--precision"))
            #expect(configuration.seed.source == .environment("AUTOGRAD_SEED"))
            #expect(configuration.checkULPs.source == .file(file))
        }
    }

    @Test func aNamedFileReplacesTheDefaultOneAndYAMLWorksLikeJSON() throws {
        try withTemporaryDirectory { directory in
            try write(#"{"autograd": {"backend": "forward"}}"#, to: "autograd.json", in: directory)
            let named = try write("autograd:\n  backend: exact\n  exact:\n    precision: 128\n", to: "mine.yaml", in: directory)
            let configuration = try AutogradConfiguration.load(configFile: named, directory: directory, environment: [:])
            #expect(configuration.backend.value == "exact" && configuration.backend.source == .file(named))
            #expect(configuration.exactPrecision.value == 128)
            #expect(configuration.file == named)
        }
    }

    @Test func theDefaultYAMLFileIsFound() throws {
        try withTemporaryDirectory { directory in
            let file = try write("autograd:\n  seed: 3\n", to: "autograd.yaml", in: directory)
            let configuration = try AutogradConfiguration.load(directory: directory, environment: [:])
            #expect(configuration.seed.value == 3 && configuration.seed.source == .file(file))
        }
    }

    @Test func environmentValuesAreTrimmed() throws {
        let configuration = try AutogradConfiguration.load(
            directory: "/nonexistent", environment: ["AUTOGRAD_EXACT_PRECISION": " 1024 ", "AUTOGRAD_BACKEND": "exact "])
        #expect(configuration.exactPrecision.value == 1024 && configuration.backend.value == "exact")
    }

    @Test func aProgramsOwnProvidersAreReadInOrder() throws {
        let configuration = try AutogradConfiguration(providers: [
            InMemoryProvider(name: "overrides", values: ["autograd.backend": "forward"]),
            InMemoryProvider(name: "base", values: ["autograd.backend": "exact", "autograd.seed": 9]),
        ])
        #expect(configuration.backend.value == "forward" && configuration.backend.source == .provider("InMemoryProvider[overrides]"))
        #expect(configuration.seed.value == 9 && configuration.seed.source == .provider("InMemoryProvider[base]"))
        #expect(try configuration.strategy().name == "forward")
    }

    @Test func theExactBackendGetsTheConfiguredPrecision() throws {
        let configuration = try AutogradConfiguration.load(flags: [.backend: "exact", .exactPrecision: "97"], directory: "/nonexistent", environment: [:])
        let strategy = try #require(try configuration.strategy() as? ExactMode)
        #expect(strategy.precision == 97)
        let x = Tensor([0.5, 1.5], requiresGrad: true)
        let gradient = try #require(try strategy.gradient(of: x.exp().sum(), withRespectTo: [x]) as ExactGradient?)
        #expect(gradient.precision == 97)
    }

    @Test func theExactBackendGetsTheConfiguredThreads() throws {
        let configuration = try AutogradConfiguration.load(flags: [.backend: "exact", .threads: "3"], directory: "/nonexistent", environment: [:])
        #expect(try #require(try configuration.strategy() as? ExactMode).threads == 3)
        let defaults = try AutogradConfiguration.load(flags: [.backend: "exact"], directory: "/nonexistent", environment: [:])
        #expect(try #require(try defaults.strategy() as? ExactMode).threads == CompiledFunction.defaultThreadCount)
    }

    @Test func theExactBackendGetsTheConfiguredPrecisionCap() throws {
        let configuration = try AutogradConfiguration.load(
            flags: [.backend: "exact", .exactPrecision: "64"], directory: "/nonexistent",
            environment: ["AUTOGRAD_EXACT_MAXIMUM_PRECISION": "128"]
        )
        #expect(configuration.exactMaximumPrecision.value == 128)
        #expect(configuration.exactMaximumPrecision.source == .environment("AUTOGRAD_EXACT_MAXIMUM_PRECISION"))
        let strategy = try #require(try configuration.strategy() as? ExactMode)
        #expect(strategy.precision == 64 && strategy.maximumPrecision == 128)
        // A gradient of exactly 0 by cancellation stops at the cap, unresolved.
        let b = Tensor([0.7], requiresGrad: true)
        let q = b * b + 1
        let gradient = try strategy.gradient(of: (q.exp().log() / q).sum(), withRespectTo: [b])
        #expect(gradient.precision == 128 && gradient.unresolvedCount == 1)
        let tooSmall = configurationError(try AutogradConfiguration.load(
            flags: [.exactMaximumPrecision: "52"], directory: "/nonexistent", environment: [:]))
        #expect(tooSmall?.description.hasPrefix(#"invalid value "52" for autograd.exact.maximumPrecision (from flag --maximum-precision)"#) == true)
    }

    @Test func sourcesDescribeThemselves() {
        #expect(ConfigurationSource.flag("--backend").description == "flag --backend")
        #expect(ConfigurationSource.environment("AUTOGRAD_BACKEND").description == "environment variable AUTOGRAD_BACKEND")
        #expect(ConfigurationSource.file("autograd.json").description == "file autograd.json")
        #expect(ConfigurationSource.defaultValue.description == "default")
        #expect(AutogradConfiguration.Key.allCases.map(\.environmentVariable)
            == ["AUTOGRAD_BACKEND", "AUTOGRAD_EXACT_PRECISION", "AUTOGRAD_EXACT_MAXIMUM_PRECISION", "AUTOGRAD_SEED", "AUTOGRAD_CHECK_ULPS", "AUTOGRAD_THREADS"])
    }
}

/// Bad configuration: a clear error, naming the key, the file or the source.
@Suite struct ConfigurationErrorTests {
    @Test func anUnknownBackendListsTheValidOnesAndItsSource() throws {
        let fromFlag = configurationError(try AutogradConfiguration.load(flags: [.backend: "revers"], directory: "/nonexistent", environment: [:]))
        #expect(fromFlag == .unknownBackend(name: "revers", valid: ["forward", "reverse", "exact", "compiled"], source: .flag("--backend")))
        #expect(fromFlag?.description == #"unknown backend "revers" (from flag --backend); valid backends: forward, reverse, exact, compiled"#)
        let fromEnvironment = configurationError(try AutogradConfiguration.load(directory: "/nonexistent", environment: ["AUTOGRAD_BACKEND": "gpu"]))
        #expect(fromEnvironment?.description.contains("(from environment variable AUTOGRAD_BACKEND)") == true)
        try withTemporaryDirectory { directory in
            let file = try write("autograd:\n  backend: tape\n", to: "autograd.yml", in: directory)
            let fromFile = configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
            #expect(fromFile == .unknownBackend(name: "tape", valid: ["forward", "reverse", "exact", "compiled"], source: .file(file)))
        }
    }

    @Test(arguments: [
        ("abc", #"invalid value "abc" for autograd.exact.precision (from environment variable AUTOGRAD_EXACT_PRECISION): expected an integer number of bits from 53 to 65536"#),
        ("-5", "invalid value -5 for autograd.exact.precision"),
        ("52", "invalid value 52 for autograd.exact.precision"),
        ("65537", "invalid value 65537 for autograd.exact.precision"),
        ("256.5", #"invalid value "256.5""#),
    ])
    func aPrecisionOfTheWrongTypeOrOutOfRangeIsRejected(value: String, message: String) {
        let error = configurationError(try AutogradConfiguration.load(directory: "/nonexistent", environment: ["AUTOGRAD_EXACT_PRECISION": value]))
        #expect(error?.description.hasPrefix(message) == true, "\(String(describing: error))")
    }

    @Test func wrongTypesInAFileAreRejectedWithTheirValue() throws {
        try withTemporaryDirectory { directory in
            let cases: [(String, String)] = [
                (#"{"autograd": {"exact": {"precision": "abc"}}}"#, #"invalid value "abc" for autograd.exact.precision"#),
                (#"{"autograd": {"exact": {"precision": -5}}}"#, "invalid value -5 for autograd.exact.precision"),
                (#"{"autograd": {"backend": 3}}"#, "invalid value 3 for autograd.backend"),
                (#"{"autograd": {"backend": ["exact"]}}"#, #"invalid value ["exact"] for autograd.backend"#),
                (#"{"autograd": {"seed": -1}}"#, "invalid value -1 for autograd.seed"),
                (#"{"autograd": {"check": {"ulps": -0.5}}}"#, "invalid value -0.5 for autograd.check.ulps"),
            ]
            for (text, message) in cases {
                let file = try write(text, to: "autograd.json", in: directory)
                let error = configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
                #expect(error?.description.hasPrefix(message + " (from file \(file))") == true, "\(String(describing: error))")
            }
        }
    }

    @Test func malformedJSONNamesTheFileAndLine() throws {
        try withTemporaryDirectory { directory in
            let file = try write("{\"autograd\": {\n  \"backend\": reverse\n}}\n", to: "autograd.json", in: directory)
            let error = configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
            guard case .malformedFile(let path, let line, _, _) = error else {
                Issue.record("expected a malformed file, got \(String(describing: error))")
                return
            }
            #expect(path == file && line == 2)
            #expect(error?.description.hasPrefix("malformed configuration file \(file), line 2") == true)

            try write("[1, 2]", to: "autograd.json", in: directory)
            let notAnObject = configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
            #expect(notAnObject?.description.contains("must be an object") == true, "\(String(describing: notAnObject))")
        }
    }

    @Test func malformedYAMLNamesTheFileAndLine() throws {
        try withTemporaryDirectory { directory in
            let file = try write("autograd:\n  backend: exact\n   seed: [\n", to: "autograd.yaml", in: directory)
            let error = configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
            guard case .malformedFile(let path, let line, _, let reason) = error else {
                Issue.record("expected a malformed file, got \(String(describing: error))")
                return
            }
            #expect(path == file && line == 3)
            #expect(reason.contains("mapping values are not allowed"))
        }
    }

    @Test func aMisspeltKeyInAFileIsAnErrorButOtherKeysAreThePrograms() throws {
        try withTemporaryDirectory { directory in
            let json = try write(#"{"autograd": {"backnd": "exact"}}"#, to: "autograd.json", in: directory)
            let known = AutogradConfiguration.Key.allCases.map(\.name)
            #expect(configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
                == .unknownKey(key: "autograd.backnd", path: json, known: known))
            let yaml = try write("autograd:\n  exact:\n    precison: 300\n", to: "mine.yaml", in: directory)
            let misspelt = configurationError(try AutogradConfiguration.load(configFile: yaml, environment: [:]))
            #expect(misspelt == .unknownKey(key: "autograd.exact.precison", path: yaml, known: known))
            #expect(misspelt?.description.hasPrefix("unknown key autograd.exact.precison in configuration file \(yaml); known keys: autograd.backend,") == true)

            // Keys outside autograd. are the program's; autograd.NAME. belongs to a backend it registered.
            try write(#"{"autograd": {"backend": "central", "central": {"step": 1e-7}}, "app": {"port": 8080}}"#, to: "autograd.json", in: directory)
            let registry = BackendRegistry()
            try registry.register("central", summary: "central differences") { _ in ReverseMode() }
            #expect(try AutogradConfiguration.load(directory: directory, environment: [:], registry: registry).backend.value == "central")
            #expect(configurationError(try AutogradConfiguration.load(directory: directory, environment: [:]))
                == .unknownKey(key: "autograd.central.step", path: json, known: known))
        }
    }

    @Test func aMissingUnsupportedOrAmbiguousFileIsAnError() throws {
        try withTemporaryDirectory { directory in
            let missing = (directory as NSString).appendingPathComponent("absent.json")
            #expect(configurationError(try AutogradConfiguration.load(configFile: missing, environment: [:])) == .missingFile(path: missing))
            #expect(configurationError(try AutogradConfiguration.load(configFile: missing, environment: [:]))?.description
                == "configuration file \(missing) does not exist")
            let toml = try write("backend = 1", to: "autograd.toml", in: directory)
            #expect(configurationError(try AutogradConfiguration.load(configFile: toml, environment: [:])) == .unsupportedFileType(path: toml))
            #expect(configurationError(try AutogradConfiguration.load(configFile: directory + "/", environment: [:])) == .unsupportedFileType(path: directory + "/"))

            let folder = (directory as NSString).appendingPathComponent("folder.json")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            #expect(configurationError(try AutogradConfiguration.load(configFile: folder, environment: [:]))
                == .unreadableFile(path: folder, reason: "it is a directory"))

            let json = try write("{}", to: "autograd.json", in: directory)
            let yaml = try write("autograd: {}", to: "autograd.yaml", in: directory)
            #expect(configurationError(try AutogradConfiguration.load(directory: directory, environment: [:])) == .ambiguousFiles(paths: [json, yaml]))
        }
    }
}

/// The strategies are plugins: the built-ins and a program's own go through one door.
@Suite struct BackendRegistryTests {
    /// A strategy of a program's own: reverse mode under another name.
    struct Doubled: Differentiable {
        var name: String { "doubled" }
        func gradient(of result: Tensor, withRespectTo leaves: [Tensor]) throws -> [Tensor] {
            try ReverseMode().gradient(of: result, withRespectTo: leaves).map { $0 * 2 }
        }
        func gradient(at point: [Tensor], of function: ([Tensor]) -> Tensor) throws -> [Tensor] {
            try ReverseMode().gradient(at: point, of: function).map { $0 * 2 }
        }
    }

    @Test func theBuiltInsAreRegistered() {
        #expect(BackendRegistry().names == ["forward", "reverse", "exact", "compiled"])
        #expect(BackendRegistry.standard.names.starts(with: ["forward", "reverse", "exact", "compiled"]))
    }

    @Test func aProgramsStrategyIsChosenByConfiguration() throws {
        let registry = BackendRegistry()
        try registry.register("doubled", summary: "twice the reverse gradient") { _ in Doubled() }
        #expect(registry.names == ["forward", "reverse", "exact", "compiled", "doubled"])
        let configuration = try AutogradConfiguration.load(
            directory: "/nonexistent", environment: ["AUTOGRAD_BACKEND": "doubled"], registry: registry)
        let strategy = try configuration.strategy(in: registry)
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        #expect(try strategy.gradient(of: x.pow(2).sum(), withRespectTo: [x]).tensors[0].scalars == [4, 8, 12])
        // The standard registry does not know it.
        #expect(configurationError(try AutogradConfiguration.load(directory: "/nonexistent", environment: ["AUTOGRAD_BACKEND": "doubled"]))
            == .unknownBackend(name: "doubled", valid: BackendRegistry.standard.names, source: .environment("AUTOGRAD_BACKEND")))
    }

    @Test func namesMustBeNewAndWellFormed() {
        let registry = BackendRegistry()
        #expect(configurationError(try registry.register("reverse", summary: "") { _ in ReverseMode() }) == .backendAlreadyRegistered(name: "reverse"))
        #expect(configurationError(try registry.register("my backend", summary: "") { _ in ReverseMode() }) == .invalidBackendName(name: "my backend"))
        #expect(configurationError(try registry.register("", summary: "") { _ in ReverseMode() }) == .invalidBackendName(name: ""))
        #expect(registry.names == ["forward", "reverse", "exact", "compiled"])
    }

    @Test func theCheckRunsAnyRegisteredStrategy() throws {
        let registry = BackendRegistry()
        try registry.register("doubled", summary: "wrong on purpose") { _ in Doubled() }
        let configuration = try AutogradConfiguration.load(flags: [.backend: "doubled"], directory: "/nonexistent", environment: [:], registry: registry)
        let results = try GradientCheck.run(strategies: [configuration.strategy(in: registry)])
        #expect(Set(results.map(\.strategy)) == ["doubled"])
        #expect(results.filter { $0.function == "lesson_loss" }.allSatisfy { !$0.passed })
    }

    @Test func theCheckBoundCapsEveryULPBound() throws {
        let strict = try GradientCheck.run(maximumULPs: 0)
        #expect(strict.contains { !$0.passed })
        #expect(strict.filter { $0.function == "tanh" }.allSatisfy { $0.bound == "0 ulp" })
        let loose = try GradientCheck.run(maximumULPs: 100)
        #expect(loose.filter { $0.function == "add" }.allSatisfy { $0.bound.hasPrefix("≤ 1 ulp and") })
        #expect(loose.allSatisfy { $0.passed })
    }
}
