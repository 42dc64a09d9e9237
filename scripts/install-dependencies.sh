#!/usr/bin/env bash
# Installs what building and testing the package needs on a fresh Debian
# machine that has the Swift toolchain, and nothing when it is already there.
set -euo pipefail

# Debian packages the build links against: GMP and MPFR for the exact
# backend, MPFI for its rigorous intervals (on MPFR; Debian ships no
# pkg-config file for it, so its module map names the library), and
# pkg-config, through which SwiftPM finds GMP and MPFR; OpenBLAS for Double
# matrix products (its module map names the library too).
packages=(libgmp-dev libmpfr-dev libmpfi-dev libopenblas-dev pkg-config)

missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    apt-get update
    apt-get install -y "${missing[@]}"
fi

command -v swift >/dev/null || { echo "error: the Swift toolchain (6.2 or later) is not on PATH" >&2; exit 1; }
