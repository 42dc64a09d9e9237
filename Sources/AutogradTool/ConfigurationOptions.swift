import ArgumentParser
import Autograd
import Foundation

/// The options every command shares: the configuration flags (which win over
/// environment variables, the configuration file and the defaults) and the
/// output format.
struct ConfigurationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Strategy: forward, reverse, exact or compiled (autograd.backend, AUTOGRAD_BACKEND; default reverse).", valueName: "name"))
    var backend: String?

    @Option(help: ArgumentHelp(
        "Configuration file, JSON or YAML (default: autograd.json or autograd.yaml in the working directory, if there is one).",
        valueName: "path"))
    var config: String?

    // The numbers are parsed `.unconditional`ly: "-1" is then the value (not an
    // option), and the configuration says what range it should be in.
    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the random tensors (autograd.seed, AUTOGRAD_SEED; default 0).", valueName: "n"))
    var seed: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Bits of the exact backend's first enclosures (autograd.exact.precision, AUTOGRAD_EXACT_PRECISION; default 256).",
        valueName: "bits"))
    var precision: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Bits where the exact backend stops raising its precision and reports unresolved elements (autograd.exact.maximumPrecision, AUTOGRAD_EXACT_MAXIMUM_PRECISION; default 4096).",
        valueName: "bits"))
    var maximumPrecision: String?

    /// `--threads`: how many threads compiled plans and the exact replay may use.
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Threads a compiled plan and the exact replay may use (autograd.threads, AUTOGRAD_THREADS; default: the machine's cores).",
        valueName: "n"))
    var threads: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    /// Reads the configuration; bad configuration is printed as one line on
    /// standard error and ends the command with exit status 2.
    func load(_ extraFlags: [AutogradConfiguration.Key: String] = [:]) throws -> AutogradConfiguration {
        var flags = extraFlags
        flags[.backend] = backend
        flags[.seed] = seed
        flags[.exactPrecision] = precision
        flags[.exactMaximumPrecision] = maximumPrecision
        flags[.threads] = threads
        return try exitingOnBadConfiguration { () throws(ConfigurationError) in
            try AutogradConfiguration.load(flags: flags, configFile: config)
        }
    }
}

/// The result of `body`; a configuration error (from reading the
/// configuration, or from a backend's factory) is printed as one line on
/// standard error and ends the command with exit status 2.
func exitingOnBadConfiguration<T>(_ body: () throws(ConfigurationError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(AutogradCommand.usageStatus)
    }
}
