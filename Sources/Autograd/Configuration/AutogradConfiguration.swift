import AutogradCore
import AutogradExact
import Configuration
import Foundation

/// The framework's settings, each with the source it came from, read through
/// apple/swift-configuration from, in order of precedence: command-line flags,
/// environment variables (`AUTOGRAD_BACKEND`, ...), a configuration file
/// (`autograd.json` or `autograd.yaml` in the working directory, or the file
/// named with `configFile`), and the built-in defaults.
///
/// | key | environment variable | flag | default |
/// | --- | --- | --- | --- |
/// | `autograd.backend` | `AUTOGRAD_BACKEND` | `--backend` | `reverse` |
/// | `autograd.exact.precision` | `AUTOGRAD_EXACT_PRECISION` | `--precision` | 256 (bits) |
/// | `autograd.exact.maximumPrecision` | `AUTOGRAD_EXACT_MAXIMUM_PRECISION` | `--maximum-precision` | 4096 (bits) |
/// | `autograd.seed` | `AUTOGRAD_SEED` | `--seed` | 0 |
/// | `autograd.check.ulps` | `AUTOGRAD_CHECK_ULPS` | `--ulps` | 4 |
///
/// A program picks its strategy from its configuration in one line:
///
/// ```swift
/// let strategy = try AutogradConfiguration.load().strategy()
/// let gradient = try strategy.gradient(of: loss, withRespectTo: [predicted]).tensors[0]
/// ```
///
/// Bad configuration (an unknown backend, a malformed file, a value of the
/// wrong type or out of range, a missing file) throws a ``ConfigurationError``
/// that names the key, the file or the source.
public struct AutogradConfiguration: Sendable {
    /// A configuration key, under `autograd.`.
    public enum Key: String, CaseIterable, Sendable {
        /// `autograd.backend`: the name of a registered strategy.
        case backend = "backend"
        /// `autograd.exact.precision`: bits of the exact backend's first enclosures.
        case exactPrecision = "exact.precision"
        /// `autograd.exact.maximumPrecision`: the bits where the exact backend's
        /// enclosures stop rising and unresolved elements are reported.
        case exactMaximumPrecision = "exact.maximumPrecision"
        /// `autograd.seed`: the seed of random tensors and of the check's inputs.
        case seed = "seed"
        /// `autograd.check.ulps`: the largest error, in ULPs, the cross-check accepts.
        case checkULPs = "check.ulps"
        /// `autograd.threads`: how many threads compiled plans and the exact
        /// replay of an element-wise loss may use.
        case threads = "threads"

        /// The full key, as a file spells it: `"autograd.exact.precision"`.
        public var name: String { "autograd." + rawValue }

        /// The environment variable, as swift-configuration spells it:
        /// `"AUTOGRAD_EXACT_PRECISION"`, `"AUTOGRAD_EXACT_MAXIMUM_PRECISION"`
        /// (a capital starts a new word).
        public var environmentVariable: String {
            let words = rawValue.map { $0.isUppercase ? "_\($0)" : "\($0)" }.joined()
            return "AUTOGRAD_" + words.uppercased().replacing(".", with: "_")
        }

        /// The `autograd` tool's flag: `"--precision"`.
        public var flag: String {
            switch self {
            case .backend: "--backend"
            case .exactPrecision: "--precision"
            case .exactMaximumPrecision: "--maximum-precision"
            case .seed: "--seed"
            case .checkULPs: "--ulps"
            case .threads: "--threads"
            }
        }

        var path: AbsoluteConfigKey { AbsoluteConfigKey(name.split(separator: ".").map(String.init)) }
    }

    /// A setting's value and where it came from.
    public struct Setting<Value: Sendable>: Sendable {
        /// The value.
        public let value: Value
        /// The source that set it.
        public let source: ConfigurationSource
    }

    /// The strategy's name (`autograd.backend`), default `reverse`.
    public let backend: Setting<String>
    /// The exact backend's first precision in bits (`autograd.exact.precision`), default 256.
    public let exactPrecision: Setting<Int>
    /// The exact backend's precision cap in bits (`autograd.exact.maximumPrecision`),
    /// default 4096; the exact backend uses at least ``exactPrecision``.
    public let exactMaximumPrecision: Setting<Int>
    /// The seed of random tensors (`autograd.seed`), default 0.
    public private(set) var seed: Setting<UInt64>
    /// The largest error, in ULPs, that the cross-check accepts (`autograd.check.ulps`), default 4.
    /// Functions with a tighter proven bound (0 or 1 ULP) keep it.
    public let checkULPs: Setting<Double>
    /// How many threads a compiled plan, and the exact replay of an
    /// element-wise loss, may use (`autograd.threads`), default the machine's
    /// cores; results do not depend on it.
    public let threads: Setting<Int>
    /// The configuration file read, if any.
    public let file: String?

    /// The built-in backend.
    public static let defaultBackend = "reverse"
    /// The most threads `autograd.threads` accepts.
    public static let maximumThreads = 1024
    /// The built-in precision of the exact backend, in bits.
    public static let defaultPrecision = 256
    /// The built-in precision cap of the exact backend, in bits.
    public static let defaultMaximumPrecision = 4096
    /// The precisions accepted, in bits: at least a `Double`'s 53, so results round correctly.
    public static let precisionRange = BigFloat.precisionRange
    /// The built-in cross-check bound, in ULPs.
    public static let defaultCheckULPs = 4.0

    /// Reads the configuration: `flags` first, then `environment`, then the
    /// file `configFile` (which must exist) or else `autograd.json`,
    /// `autograd.yaml` or `autograd.yml` in `directory` (if there is one),
    /// then the defaults. The backend must be registered in `registry`.
    ///
    /// ```swift
    /// let configuration = try AutogradConfiguration.load(flags: [.backend: "exact"])
    /// print(configuration.backend.value, configuration.backend.source)   // exact flag --backend
    /// ```
    public static func load(
        flags: [Key: String] = [:],
        configFile: String? = nil,
        directory: String = ".",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        registry: BackendRegistry = .standard
    ) throws(ConfigurationError) -> AutogradConfiguration {
        let file = if let configFile { try ConfigurationFile(path: configFile) } else { try ConfigurationFile.discover(in: directory) }
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags { flagValues[key.path] = ConfigValue(.string(value), isSecret: false) }
        var layers = [
            Layer(snapshot: InMemoryProvider(name: "flags", values: flagValues).snapshot(), kind: .flags),
            Layer(snapshot: EnvironmentVariablesProvider(environmentVariables: environment).snapshot(), kind: .environment),
        ]
        if let file { layers.append(Layer(snapshot: file.snapshot, kind: .file(file.path), keys: file.keys)) }
        return try AutogradConfiguration(layers: layers, file: file?.path, registry: registry)
    }

    /// Reads the configuration from swift-configuration providers of the
    /// program's own, the first one that has a key winning, then the defaults.
    ///
    /// ```swift
    /// let configuration = try AutogradConfiguration(providers: [
    ///     InMemoryProvider(values: ["autograd.backend": "forward"]),
    ///     EnvironmentVariablesProvider(),
    /// ])
    /// ```
    public init(providers: [any ConfigProvider], registry: BackendRegistry = .standard) throws(ConfigurationError) {
        try self.init(
            layers: providers.map { Layer(snapshot: $0.snapshot(), kind: .provider($0.providerName)) },
            file: nil, registry: registry
        )
    }

    /// The strategy the configuration names, made by its registered factory.
    ///
    /// ```swift
    /// let strategy = try AutogradConfiguration.load().strategy()
    /// print(strategy.name)   // reverse
    /// ```
    public func strategy(in registry: BackendRegistry = .standard) throws(ConfigurationError) -> any Differentiable {
        try registry.strategy(named: backend.value, source: backend.source, configuration: self)
    }

    /// The built-in defaults, with `seed` as if a program had set it.
    static func builtIn(seed: UInt64) -> AutogradConfiguration {
        // No layers give the defaults; the seed is then set by hand.
        var configuration = try! AutogradConfiguration(layers: [], file: nil, registry: .standard)
        configuration.seed = Setting(value: seed, source: .provider("program"))
        return configuration
    }

    // MARK: Reading the layers

    /// One source of values, with how to name it.
    struct Layer {
        enum Kind { case flags, environment, file(String), provider(String) }
        let snapshot: any ConfigSnapshot
        let kind: Kind
        /// Every key the layer sets, where it can list them (files).
        var keys: [String] = []

        func source(of key: Key) -> ConfigurationSource {
            switch kind {
            case .flags: .flag(key.flag)
            case .environment: .environment(key.environmentVariable)
            case .file(let path): .file(path)
            case .provider(let name): .provider(name)
            }
        }
    }

    init(layers: [Layer], file: String?, registry: BackendRegistry) throws(ConfigurationError) {
        self.file = file
        try Self.checkKeys(of: layers, registry: registry)
        backend = try Self.resolve(
            .backend, in: layers, type: .string, default: Self.defaultBackend,
            expected: "the name of a backend (\(registry.names.joined(separator: ", ")))"
        ) { text in text.isEmpty ? nil : text }
        guard registry.names.contains(backend.value) else {
            throw .unknownBackend(name: backend.value, valid: registry.names, source: backend.source)
        }
        let precisions = Self.precisionRange
        exactPrecision = try Self.resolve(
            .exactPrecision, in: layers, type: .int, default: Self.defaultPrecision,
            expected: "an integer number of bits from \(precisions.lowerBound) to \(precisions.upperBound)"
        ) { text in Int(text).flatMap { precisions.contains($0) ? $0 : nil } }
        exactMaximumPrecision = try Self.resolve(
            .exactMaximumPrecision, in: layers, type: .int, default: Self.defaultMaximumPrecision,
            expected: "an integer number of bits from \(precisions.lowerBound) to \(precisions.upperBound)"
        ) { text in Int(text).flatMap { precisions.contains($0) ? $0 : nil } }
        seed = try Self.resolve(
            .seed, in: layers, type: .int, default: 0, expected: "an integer from 0 to \(UInt64.max)"
        ) { text in UInt64(text) }
        checkULPs = try Self.resolve(
            .checkULPs, in: layers, type: .double, default: Self.defaultCheckULPs,
            expected: "a finite number of ULPs, 0 or more"
        ) { text in Double(text).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
        threads = try Self.resolve(
            .threads, in: layers, type: .int, default: CompiledFunction.defaultThreadCount,
            expected: "a number of threads from 1 to \(Self.maximumThreads)"
        ) { text in Int(text).flatMap { (1...Self.maximumThreads).contains($0) ? $0 : nil } }
    }

    /// Rejects a key under `autograd.` that nothing reads (a misspelt one,
    /// say). Keys outside `autograd.` belong to the program; keys under
    /// `autograd.NAME.` belong to a backend registered by the program.
    static func checkKeys(of layers: [Layer], registry: BackendRegistry) throws(ConfigurationError) {
        let known = Key.allCases.map(\.name)
        let namespaces = registry.names.filter { !BackendRegistry.builtInNames.contains($0) }.map { "autograd.\($0)." }
        for layer in layers {
            guard case .file(let path) = layer.kind else { continue }
            for key in layer.keys where key == "autograd" || key.hasPrefix("autograd.") {
                guard known.contains(key) || namespaces.contains(where: { key.hasPrefix($0) }) else {
                    throw .unknownKey(key: key, path: path, known: known)
                }
            }
        }
    }

    /// The first layer's value for `key`, converted by `parse` from its text,
    /// or `defaultValue`. A value that does not convert is an error naming its source.
    static func resolve<Value>(
        _ key: Key, in layers: [Layer], type: ConfigType, default defaultValue: Value, expected: String,
        parse: (String) -> Value?
    ) throws(ConfigurationError) -> Setting<Value> {
        for layer in layers {
            let content: ConfigContent
            do {
                guard let found = try layer.snapshot.value(forKey: key.path, type: type).value else { continue }
                content = found.content
            } catch {
                // Not of `type`: a string (flags, environment, a quoted value) is parsed below.
                guard let text = try? layer.snapshot.value(forKey: key.path, type: .string).value else {
                    throw .invalidValue(key: key.name, value: describe(key, in: layer), expected: expected, source: layer.source(of: key))
                }
                content = text.content
            }
            let text: String
            switch content {
            case .string(let string): text = string.trimmingCharacters(in: .whitespaces)
            case .int(let integer): text = String(integer)
            case .double(let double): text = "\(double)"
            default: text = ""
            }
            guard let value = parse(text) else {
                throw .invalidValue(key: key.name, value: display(content), expected: expected, source: layer.source(of: key))
            }
            return Setting(value: value, source: layer.source(of: key))
        }
        return Setting(value: defaultValue, source: .defaultValue)
    }

    /// A value of a type that was not asked for, as the layer has it.
    static func describe(_ key: Key, in layer: Layer) -> String {
        let types: [ConfigType] = [.int, .double, .bool, .stringArray, .intArray, .doubleArray, .boolArray]
        for type in types {
            if let content = (try? layer.snapshot.value(forKey: key.path, type: type))?.value?.content {
                return display(content)
            }
        }
        return "(a value of another type)"
    }

    /// A value as a message shows it: strings quoted, numbers and lists as written.
    static func display(_ content: ConfigContent) -> String {
        switch content {
        case .string(let string): "\"\(string)\""
        case .int(let integer): "\(integer)"
        case .double(let double): "\(double)"
        case .bool(let bool): "\(bool)"
        case .stringArray(let strings): "[" + strings.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .intArray(let integers): "\(integers)"
        case .doubleArray(let doubles): "\(doubles)"
        case .boolArray(let bools): "\(bools)"
        case .bytes, .byteChunkArray: "(bytes)"
        }
    }
}
