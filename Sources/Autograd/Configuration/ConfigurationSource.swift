/// Where a configuration value came from, in the order of precedence: a
/// command-line flag, an environment variable, a configuration file, a
/// provider of the user's own, or the built-in default.
///
/// ```swift
/// let configuration = try AutogradConfiguration.load()
/// print(configuration.backend.source)   // default, or e.g. "environment variable AUTOGRAD_BACKEND"
/// ```
public enum ConfigurationSource: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag, such as `--backend`.
    case flag(String)
    /// An environment variable, such as `AUTOGRAD_BACKEND`.
    case environment(String)
    /// A configuration file, by its path.
    case file(String)
    /// A swift-configuration provider passed by the user, by its name.
    case provider(String)
    /// The built-in default.
    case defaultValue

    /// `"flag --backend"`, `"environment variable AUTOGRAD_BACKEND"`,
    /// `"file autograd.json"`, `"provider NAME"` or `"default"`.
    public var description: String {
        switch self {
        case .flag(let flag): "flag \(flag)"
        case .environment(let variable): "environment variable \(variable)"
        case .file(let path): "file \(path)"
        case .provider(let name): "provider \(name)"
        case .defaultValue: "default"
        }
    }

    /// The kind of source, as one word: `flag`, `environment`, `file`, `provider` or `default`.
    public var kind: String {
        switch self {
        case .flag: "flag"
        case .environment: "environment"
        case .file: "file"
        case .provider: "provider"
        case .defaultValue: "default"
        }
    }
}
