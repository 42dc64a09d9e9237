#!/usr/bin/env bash
# Runs the tests that share state between threads under ThreadSanitizer and
# fails on any report, even when every test passes.
#
#     scripts/check-tsan.sh            # ConcurrencyTests and the LargeBufferCache suites
#     scripts/check-tsan.sh --all      # every test (slow: about ten times the normal run)
#
# ThreadSanitizer does not see `Synchronization.Mutex`'s `futex`-based
# locking on Linux, so it reports the accesses inside `withLock` as races
# ("Swift access race") although none can happen. AutogradCore locks with its
# own `Lock`, a `pthread_mutex_t`, which ThreadSanitizer understands. Code that
# still uses `Mutex` is listed, line by line and with the reason, in
# scripts/tsan-suppressions.txt; nothing else is suppressed.
#
# SCRATCH_PATH chooses the build directory (default .build-tsan).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh

scratch=${SCRATCH_PATH:-.build-tsan}
filter=(--filter 'ConcurrencyTests|LargeBufferCache')
if [[ ${1:-} == --all ]]; then filter=(); fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

swift build --build-tests --sanitize=thread --scratch-path "$scratch"
# halt_on_error=0: finish the run and count every report. Exit tests' child
# processes inherit these options; a report there makes the child exit with
# status 66, which fails its test.
status=0
TSAN_OPTIONS="halt_on_error=0 suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_OPTIONS:-}" \
    swift test --sanitize=thread --scratch-path "$scratch" --skip-build "${filter[@]}" 2>&1 | tee "$log" \
    || status=$?

reports=$(grep -c '^WARNING: ThreadSanitizer' "$log" || true)
if ((reports > 0)); then
    echo "check-tsan: $reports ThreadSanitizer report(s):" >&2
    grep '^SUMMARY: ThreadSanitizer' "$log" | sort | uniq -c >&2
    exit 1
fi
if ((status != 0)); then
    echo "check-tsan: the tests failed (status $status)" >&2
    exit "$status"
fi
echo "check-tsan: no ThreadSanitizer reports"
