import AutogradFuzzing

/// libFuzzer's entry point for the configuration loader, `AutogradConfiguration.load(...)` (see `ConfigurationHarness`): a mode byte, an optional flag value ending in a NUL byte, then a JSON or YAML file.
///
/// Built only with libFuzzer, which supplies `main` (this module has none):
///
/// ```sh
/// scripts/fuzz.sh 60 FuzzConfiguration                                   # from the repository's root
/// SWIFT_BACKTRACE=enable=no /tmp/fuzz-autograd/release/FuzzConfiguration Fuzz/Corpus/Configuration -max_total_time=60
/// /tmp/fuzz-autograd/release/FuzzConfiguration crash-1234abcd            # replays one input
/// ```
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ConfigurationHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
