#!/usr/bin/env bash
# Runs the exact backend's tests under LeakSanitizer (AddressSanitizer's leak
# checker): every GMP, MPFR and MPFI value must be freed by its owner's deinit.
# Exits non-zero, with a report, on any leak. XCTest's own allocations, which
# it keeps until exit, are suppressed; nothing else is.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh

suppressions=$(mktemp)
trap 'rm -f "$suppressions"' EXIT
echo "leak:libXCTest.so" > "$suppressions"

swift build --build-tests --sanitize=address --scratch-path .build-asan
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$suppressions:print_suppressions=0" \
    swift test --sanitize=address --scratch-path .build-asan --skip-build \
    --filter 'RationalTests|BigFloatTests|BigIntervalTests|ExactModeTests|GradientCheckTests'
echo "check-leaks: no leaks"
