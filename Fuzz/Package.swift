// swift-tools-version: 6.2
import PackageDescription

/// SwiftPM names the path dependency `..` after its folder, which differs
/// between clones (`main`, CI's checkout...), so work it out here.
let rootPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init)!.lowercased()

/// libFuzzer targets of swift-autograd, a package of its own so that the
/// library's build stays free of sanitizer flags.
///
/// Each executable defines `LLVMFuzzerTestOneInput` and no `main`: it links
/// only with libFuzzer, which brings the `main` that drives it. Build and run
/// them with `scripts/fuzz.sh` from the repository's root, or by hand here:
///
/// ```sh
/// swift build -c release --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address \
///     --scratch-path /tmp/fuzz-autograd
/// SWIFT_BACKTRACE=enable=no /tmp/fuzz-autograd/release/FuzzOperations Corpus/Operations -max_total_time=60
/// ```
///
/// (The two `--sanitize` options reach the compiler as two `-sanitize=`
/// flags, of which it keeps the last, so without `-sanitize=fuzzer,address`
/// the code would not be instrumented for coverage.)
///
/// | target | input | what it exercises |
/// | --- | --- | --- |
/// | `FuzzNumbers` | text | `Rational(_:)`, `BigFloat(_:precision:)`, their printing and arithmetic |
/// | `FuzzConfiguration` | a mode byte, then a file | `AutogradConfiguration.load(...)` on JSON and YAML files |
/// | `FuzzOperations` | bytes decoded into a program | random op sequences on random shapes, every strategy, `backward()` |
/// | `FuzzGraphDocuments` | a JSON document | `GraphDocument(json:)`, `record()`, writing back, `GradientJudge.judge` |
///
/// The harnesses live in the `AutogradFuzzing` library, so they can be called
/// without libFuzzer too.
let package = Package(
    name: "swift-autograd-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "AutogradFuzzing", dependencies: [.product(name: "Autograd", package: rootPackage)]),
        .executableTarget(name: "FuzzNumbers", dependencies: ["AutogradFuzzing"]),
        .executableTarget(name: "FuzzConfiguration", dependencies: ["AutogradFuzzing"]),
        .executableTarget(name: "FuzzOperations", dependencies: ["AutogradFuzzing"]),
        .executableTarget(name: "FuzzGraphDocuments", dependencies: ["AutogradFuzzing"]),
    ]
)
