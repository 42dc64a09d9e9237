#!/usr/bin/env bash
# Fuzzes swift-autograd with libFuzzer for a fixed time: builds the targets of
# the Fuzz/ package (with -sanitize=fuzzer,address) in a scratch directory,
# then runs each one on its seed corpus (Fuzz/Corpus/NAME) for its share of
# the time. Exits non-zero when a target crashes, traps, times out or runs out
# of memory, and prints the path of the input that did it.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#
#   SECONDS  the total fuzzing time, split evenly between the targets
#            (default: $FUZZ_TIME, else 60); the build comes on top
#   TARGET   FuzzNumbers, FuzzConfiguration, FuzzOperations, FuzzGraphDocuments (default: all)
#
# Environment:
#   FUZZ_TIME     the default of SECONDS
#   FUZZ_SCRATCH  the build directory (default: ${TMPDIR:-/tmp}/fuzz-autograd)
#   FUZZ_WORK     where the grown corpora, crash files and logs go
#                 (default: $FUZZ_SCRATCH/work); the seed corpora are only read
#   FUZZ_TIMEOUT  seconds one input may take before it counts as a hang (default 60)
#   FUZZ_FLAGS    more libFuzzer flags, e.g. "-seed=1 -jobs=2"
#   FUZZ_PACKAGE  the fuzz package (default: Fuzz/ beside this script)
#
# A crash leaves Fuzz's `crash-<sha1>` file under $FUZZ_WORK/artifacts/TARGET/;
# replay it with `$FUZZ_SCRATCH/release/TARGET FILE`, minimise it with
# `$FUZZ_SCRATCH/release/TARGET -minimize_crash=1 -runs=10000 FILE`, then add it to
# Fuzz/Corpus/NAME once fixed, so every later run replays it first.
#
# Needs a Swift toolchain with libFuzzer (swift.org's toolchains for Linux have
# it; Xcode's does not) and what scripts/install-dependencies.sh installs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="${FUZZ_PACKAGE:-$root/Fuzz}"
scratch="${FUZZ_SCRATCH:-${TMPDIR:-/tmp}/fuzz-autograd}"
work="${FUZZ_WORK:-$scratch/work}"
timeout="${FUZZ_TIMEOUT:-60}"
all_targets=(FuzzNumbers FuzzConfiguration FuzzOperations FuzzGraphDocuments)

total="${FUZZ_TIME:-60}"
if (($#)) && [[ "$1" =~ ^[0-9]+$ ]]; then
    total="$1"
    shift
fi
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    if [[ ! " ${all_targets[*]} " =~ " $target " ]]; then
        echo "error: unknown target '$target' (valid: ${all_targets[*]})" >&2
        exit 2
    fi
done
if ! [[ "$total" =~ ^[0-9]+$ ]] || ((total < 1)); then
    echo "error: the time must be a positive number of seconds, got '$total'" >&2
    exit 2
fi
each=$((total / ${#targets[@]}))
((each >= 1)) || each=1

# `--sanitize` makes SwiftPM link libFuzzer's `main` (and not rename the
# executables' entry point), but passes `-sanitize=fuzzer -sanitize=address`
# as two flags, of which the Swift compiler keeps only the last: the code would
# not be instrumented for coverage. `-sanitize=fuzzer,address`, passed last,
# gives both.
build=(swift build -c release --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address
       --package-path "$package" --scratch-path "$scratch")
echo "==> building the fuzz targets in $scratch"
if ! "${build[@]}"; then
    echo "error: the fuzz targets did not build; this needs a toolchain with libFuzzer (-sanitize=fuzzer)" >&2
    exit 3
fi
bin="$("${build[@]}" --show-bin-path)"

# Swift's backtracer would catch the trap before libFuzzer, which then
# would not save the input. LeakSanitizer checks every input for leaks (GMP
# and MPFR values must be freed), but for the ones its suppressions name.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$package/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

failed=()
for target in "${targets[@]}"; do
    name="${target#Fuzz}"
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    log="$work/$target.log"
    mkdir -p "$corpus" "$artifacts"
    echo "==> $target for ${each}s (seeds: $package/Corpus/$name, log: $log)"
    status=0
    # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
    "$bin/$target" "$corpus" "$package/Corpus/$name" \
        -max_total_time="$each" -timeout="$timeout" -rss_limit_mb=4096 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_FLAGS:-} \
        >"$log" 2>&1 || status=$?
    executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    echo "    ${executions:-?} inputs, ${speed:-?} per second, corpus $(find "$corpus" -type f | wc -l) files"
    if ((status != 0)); then
        failed+=("$target")
        echo "error: $target failed (exit status $status):" >&2
        grep -E "fuzz finding|Fatal error|ERROR: |SUMMARY: " "$log" | head -20 >&2 || true
        inputs="$(sed -n 's/.*Test unit written to //p' "$log")"
        if [[ -n "$inputs" ]]; then
            echo "the input that did it: $inputs" >&2
            echo "replay it with: SWIFT_BACKTRACE=enable=no $bin/$target $inputs" >&2
        else
            echo "no input was saved; see $log" >&2
        fi
    fi
done

if ((${#failed[@]})); then
    echo "error: fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "==> no crashes"
