// swift-tools-version: 6.2
import PackageDescription

/// SwiftPM names the path dependency `..` after its folder, which differs
/// between clones (`main`, CI's checkout...), so work it out here.
let rootPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init)!.lowercased()

/// Benchmarks of swift-autograd, a package of its own so that the library does
/// not depend on ordo-one/benchmark. Run with `swift package benchmark` here.
let package = Package(
    name: "swift-autograd-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // Not the default traits: on Linux with Swift 6.3 those add
        // ordo-one/swift-runtime-interposer, which this machine cannot fetch.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: ["LossBenchmarks", "ForwardModeBenchmarks", "ExactBenchmarks", "TrainingBenchmarks", "MatmulBenchmarks", "OpBenchmarks"]
        .map(benchmarkTarget) + [
            // OpenBLAS called directly: the limit of the matrix-product benchmarks.
            .systemLibrary(name: "CBLASDirect"),
        ]
)

/// A benchmark executable in `Benchmarks/NAME`, run by the benchmark plugin.
func benchmarkTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Autograd", package: rootPackage),
            .product(name: "Benchmark", package: "benchmark"),
        ] + (["MatmulBenchmarks", "TrainingBenchmarks"].contains(name) ? ["CBLASDirect"] : []),
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
