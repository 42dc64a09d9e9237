#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer with its leak checker
# (LeakSanitizer): no invalid memory access anywhere, and every GMP, MPFR and
# MPFI value freed by its owner's deinit. Exits non-zero, with a report, on
# any error or leak. The leaks suppressed (scripts/lsan-suppressions.txt, each
# line explained there) are those of XCTest, Foundation and
# swift-argument-parser; none of this project's code.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh

suppressions="$PWD/scripts/lsan-suppressions.txt"

swift build --build-tests --sanitize=address --scratch-path .build-asan
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$suppressions:print_suppressions=0" \
    swift test --sanitize=address --scratch-path .build-asan --skip-build
echo "check-leaks: no memory errors, no leaks"
