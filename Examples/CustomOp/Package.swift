// swift-tools-version: 6.2
import PackageDescription

/// SwiftPM names the path dependency `../..` after its folder, which differs
/// between clones, so work it out here.
let autograd = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init)!.lowercased()

/// A package of custom ops built on swift-autograd: each op is defined once
/// and works in every strategy; its tests prove the rules with the exact backend.
let package = Package(
    name: "CustomOp",
    products: [.library(name: "CustomOp", targets: ["CustomOp"])],
    dependencies: [.package(path: "../..")],
    targets: [
        .target(name: "CustomOp", dependencies: [.product(name: "Autograd", package: autograd)]),
        .testTarget(
            name: "CustomOpTests",
            dependencies: ["CustomOp", .product(name: "AutogradTesting", package: autograd)]
        ),
    ]
)
