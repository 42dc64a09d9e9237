import AutogradCore
import AutogradExact

/// The differentiation strategies by name, as configuration spells them. The
/// built-in `forward`, `reverse`, `exact` and `compiled` are registered through the same
/// ``register(_:summary:factory:)`` that a program uses for a strategy of its
/// own, and ``AutogradConfiguration`` chooses among them.
///
/// ```swift
/// struct CentralDifferences: Differentiable { ... }
/// try BackendRegistry.standard.register("central", summary: "central finite differences") { _ in CentralDifferences() }
/// let strategy = try AutogradConfiguration.load(flags: [.backend: "central"]).strategy()
/// ```
public final class BackendRegistry: Sendable {
    /// Makes a strategy, reading what it needs (such as a precision) from the configuration.
    public typealias Factory = @Sendable (AutogradConfiguration) throws(ConfigurationError) -> any Differentiable

    /// One registered strategy.
    public struct Backend: Sendable {
        /// Its name: `"reverse"`.
        public let name: String
        /// One line on what it is.
        public let summary: String
        let factory: Factory
    }

    private let backends: Lock<[Backend]> = Lock([])

    /// The registry that configuration uses unless told otherwise: the built-in strategies, and any the program registers.
    public static let standard = BackendRegistry()

    /// The names of the built-in strategies, registered in every registry.
    public static let builtInNames = ["forward", "reverse", "exact", "compiled"]

    /// A registry with the built-in strategies: `forward`, `reverse`, `exact` and `compiled`.
    public init() {
        let builtIns: [(String, String, Factory)] = [
            ("forward", "forward mode: the ops' forward rules, 8 directions per pass", { _ in ForwardMode() }),
            ("reverse", "reverse mode: the tape, one backward pass", { _ in ReverseMode() }),
            ("exact", "exact reference: GMP rationals, or MPFI enclosures from autograd.exact.precision bits up",
             { configuration in ExactMode(
                precision: configuration.exactPrecision.value, maximumPrecision: configuration.exactMaximumPrecision.value,
                threads: configuration.threads.value
            ) }),
            ("compiled", "compiled reverse mode: element-wise chains fused into blocked loops on autograd.threads threads",
             { configuration in CompiledReverseMode(threads: configuration.threads.value) }),
        ]
        for (name, summary, factory) in builtIns {
            try! register(name, summary: summary, factory: factory)
        }
    }

    /// Registers a strategy under `name` (letters, digits, `-` and `_`), which
    /// configuration can then choose. Throws if the name is taken or invalid.
    ///
    /// ```swift
    /// try BackendRegistry.standard.register("reverse-twice", summary: "reverse mode") { _ in ReverseMode() }
    /// ```
    public func register(_ name: String, summary: String, factory: @escaping Factory) throws(ConfigurationError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw .invalidBackendName(name: name)
        }
        try backends.withLock { backends throws(ConfigurationError) in
            guard !backends.contains(where: { $0.name == name }) else { throw .backendAlreadyRegistered(name: name) }
            backends.append(Backend(name: name, summary: summary, factory: factory))
        }
    }

    /// The registered strategies, in the order they were registered.
    public var all: [Backend] { backends.withLock { $0 } }

    /// The registered names, in the order they were registered.
    public var names: [String] { all.map(\.name) }

    /// The strategy registered as `name`, made for `configuration`; `source`
    /// says where the name came from, for the error if it is unknown.
    public func strategy(
        named name: String, source: ConfigurationSource = .defaultValue,
        configuration: AutogradConfiguration
    ) throws(ConfigurationError) -> any Differentiable {
        guard let backend = all.first(where: { $0.name == name }) else {
            throw .unknownBackend(name: name, valid: names, source: source)
        }
        return try backend.factory(configuration)
    }
}
