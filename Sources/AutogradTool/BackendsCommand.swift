import ArgumentParser
import Autograd

/// `autograd backends`: the registered strategies, the active one marked with
/// where that choice came from, the other settings with theirs, and what
/// computes `Double` matrix products.
struct BackendsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backends",
        abstract: "List the registered backends and mark the configured one, with where each setting came from."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration = try options.load()
        let backends = BackendRegistry.standard.all
        let active = configuration.backend
        switch options.format {
        case .json:
            struct Backend: Encodable { let name: String; let summary: String; let active: Bool }
            struct Report: Encodable {
                let active: SettingReport<String>
                let backends: [Backend]
                let precision: SettingReport<Int>
                let maximumPrecision: SettingReport<Int>
                let seed: SettingReport<UInt64>
                let ulps: SettingReport<Double>
                let threads: SettingReport<Int>
                let file: String?
                let matrixProducts: String
                let hyperbolicTangent: String
                enum CodingKeys: String, CodingKey {
                    case active, backends, precision, seed, ulps, threads, file
                    case maximumPrecision = "maximum_precision"
                    case matrixProducts = "matrix_products"
                    case hyperbolicTangent = "tanh"
                }
            }
            try printJSON(Report(
                active: SettingReport(active),
                backends: backends.map { Backend(name: $0.name, summary: $0.summary, active: $0.name == active.value) },
                precision: SettingReport(configuration.exactPrecision),
                maximumPrecision: SettingReport(configuration.exactMaximumPrecision), seed: SettingReport(configuration.seed),
                ulps: SettingReport(configuration.checkULPs), threads: SettingReport(configuration.threads),
                file: configuration.file,
                matrixProducts: MatrixProducts.kernelName(for: Double.self),
                hyperbolicTangent: VectorKernels.hyperbolicTangentName
            ))
        case .text:
            let width = backends.map(\.name.count).max() ?? 0
            for backend in backends {
                let isActive = backend.name == active.value
                let name = backend.name.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(isActive ? "*" : " ") \(name)  \(backend.summary)\(isActive ? "  (active, from \(active.source))" : "")")
            }
            print()
            print("autograd.exact.precision = \(configuration.exactPrecision.value) (from \(configuration.exactPrecision.source))")
            print("autograd.exact.maximumPrecision = \(configuration.exactMaximumPrecision.value) (from \(configuration.exactMaximumPrecision.source))")
            print("autograd.seed = \(configuration.seed.value) (from \(configuration.seed.source))")
            print("autograd.check.ulps = \(configuration.checkULPs.value) (from \(configuration.checkULPs.source))")
            print("autograd.threads = \(configuration.threads.value) (from \(configuration.threads.source))")
            print("configuration file: \(configuration.file ?? "none")")
            print("Double matrix products: \(MatrixProducts.kernelName(for: Double.self))")
            print("Double tanh: \(VectorKernels.hyperbolicTangentName)")
        }
    }
}
