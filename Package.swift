// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "swift-autograd",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        // `expectValid(op)`: one line in a Swift Testing suite validates a custom op.
        .library(name: "AutogradTesting", targets: ["AutogradTesting"]),
        .executable(name: "autograd", targets: ["AutogradTool"]),
        // `swift package gradcheck`: builds the tool and runs `autograd check`.
        .plugin(name: "GradcheckPlugin", targets: ["GradcheckPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Configuration from flags, environment variables and JSON or YAML files.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        // The YAML parser swift-configuration uses, read directly to list a file's keys.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `swift package generate-documentation`: the DocC catalogs of the public modules.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Scalars, tensors, ops, the tape and the float strategies. No C.
        .target(
            name: "AutogradCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        // C bindings: GMP rationals and MPFR big floats, from Debian's packages.
        .systemLibrary(name: "CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "CMPFR", pkgConfig: "mpfr", providers: [.apt(["libmpfr-dev"])]),
        .systemLibrary(name: "CMPFI", providers: [.apt(["libmpfi-dev"])]),
        // C bindings: BLAS, from Debian's OpenBLAS.
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        // Double matrix products through OpenBLAS, found by the core at run time.
        .target(name: "AutogradBLAS", dependencies: ["AutogradCore", "CBLAS"]),
        // Element-wise loops in C, vectorised for AVX-512 or AVX2, chosen at the first call.
        .target(name: "CVectorKernels"),
        // Double tanh through those loops, found by the core at run time.
        .target(name: "AutogradVectorKernels", dependencies: ["AutogradCore", "CVectorKernels"]),
        // The exact reference: Rational (mpq_t), BigFloat (mpfr_t), ExactMode.
        .target(name: "AutogradExact", dependencies: ["AutogradCore", "CGMP", "CMPFR", "CMPFI"]),
        // The umbrella: re-exports the core and the exact backend; holds the
        // backend registry, the configuration, the cross-check and the lesson.
        .target(
            name: "Autograd",
            dependencies: [
                "AutogradCore", "AutogradExact", "AutogradBLAS", "AutogradVectorKernels",
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Swift Testing helpers for users' own op tests.
        .target(name: "AutogradTesting", dependencies: ["Autograd"]),
        // The `autograd` command-line tool, thin over the library.
        .executableTarget(
            name: "AutogradTool",
            dependencies: [
                "Autograd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `swift package gradcheck [options]`.
        .plugin(
            name: "GradcheckPlugin",
            capability: .command(
                intent: .custom(verb: "gradcheck", description: "Check gradients against exact arithmetic (autograd check)."),
                permissions: []
            )
        ),
        .testTarget(name: "AutogradCoreTests", dependencies: ["AutogradCore"]),
        .testTarget(name: "AutogradExactTests", dependencies: ["AutogradExact"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "AutogradTesting", "CVectorKernels"]),
        // Runs the built `autograd` executable (the dependency makes it build).
        .testTarget(name: "AutogradToolTests", dependencies: ["AutogradTool"]),
    ]
)
