// swift-tools-version: 6.2
import PackageDescription

/// SwiftPM names the path dependency `../..` after its folder, which differs
/// between clones, so work it out here.
let autograd = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init)!.lowercased()

/// The README's example of tasks sharing a recorded graph, as a program with
/// top-level tensors, built in the Swift 6 language mode (strict concurrency
/// checking): CI runs it.
let package = Package(
    name: "SharedGraph",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(name: "SharedGraph", dependencies: [.product(name: "Autograd", package: autograd)]),
    ],
    swiftLanguageModes: [.v6]
)
