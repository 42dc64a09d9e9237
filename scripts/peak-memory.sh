#!/usr/bin/env bash
# Measures the peak resident memory of the lesson's loss, forward plus
# backward, at a given size (10^7 elements unless given), with a small
# release-mode program that depends on this package by path. It prints the
# resident memory (VmRSS) and its peak (VmHWM) after the inputs are made,
# after the forward pass, after the backward pass and after `removeAll()`,
# with what `LargeBufferCache` keeps at each point.
#
#     scripts/peak-memory.sh              # 10^7 elements, 3 steps
#     scripts/peak-memory.sh 1000000 10   # 10^6 elements, 10 steps
#
# SCRATCH_PATH chooses the build directory (default /tmp/autograd-peak-memory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-10000000}
steps=${2:-3}
scratch=${SCRATCH_PATH:-/tmp/autograd-peak-memory}

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/Sources/PeakMemory"
cat > "$probe/Package.swift" <<EOF
// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "PeakMemory",
    dependencies: [.package(path: "$root")],
    targets: [
        .executableTarget(
            name: "PeakMemory",
            dependencies: [.product(name: "Autograd", package: "$(basename "$root" | tr '[:upper:]' '[:lower:]')")]
        ),
    ]
)
EOF
cat > "$probe/Sources/PeakMemory/main.swift" <<'EOF'
import Autograd
import Foundation

/// A line of /proc/self/status, in MiB.
func mebibytes(_ key: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
}

func report(_ label: String) {
    print(label.padding(toLength: 26, withPad: " ", startingAt: 0),
          "VmRSS \(mebibytes("VmRSS")) MiB, VmHWM \(mebibytes("VmHWM")) MiB,",
          "cached \(LargeBufferCache.cachedBytes >> 20) MiB")
}

let count = Int(CommandLine.arguments[1])!
let steps = Int(CommandLine.arguments[2])!
var generator = SeededGenerator(seed: 42)
let predicted = Tensor.rand([count], requiresGrad: true, using: &generator)
let real = Tensor.rand([count], using: &generator)
report("inputs")
for step in 1...steps {
    do {
        let loss = (predicted - real).pow(2).sum()
        report("step \(step): forward")
        try loss.backward()
    }
    report("step \(step): backward")
    predicted.grad = nil
}
LargeBufferCache.removeAll()
report("removeAll()")
EOF

swift build -c release --package-path "$probe" --scratch-path "$scratch" >&2
"$scratch/release/PeakMemory" "$count" "$steps"
